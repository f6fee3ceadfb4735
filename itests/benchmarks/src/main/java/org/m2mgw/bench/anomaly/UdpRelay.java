package org.m2mgw.bench.anomaly;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * An on-path attacker between one device and the gateway: it relays datagrams both ways and,
 * when told to, sends each datagram of the device again ({@link #replay}) or sends an extra copy
 * with one byte of the record flipped ({@link #tamper}), so the gateway sees replayed records
 * and records that fail their MAC, while the device's own traffic still gets through.
 */
final class UdpRelay implements AutoCloseable {
    private final DatagramSocket device;
    private final DatagramSocket upstream;
    private final InetSocketAddress gateway;
    private volatile SocketAddress deviceAddress;
    private volatile int replayCopies;
    private volatile boolean tamper;
    private final Thread up;
    private final Thread down;

    UdpRelay(InetSocketAddress gateway, String upstreamAddress) throws SocketException {
        this.gateway = gateway;
        device = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        upstream = new DatagramSocket(new InetSocketAddress(upstreamAddress, 0));
        up = new Thread(this::deviceToGateway, "relay-up");
        down = new Thread(this::gatewayToDevice, "relay-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    /** Where the device must send: the relay's own address. */
    InetSocketAddress address() {
        return (InetSocketAddress) device.getLocalSocketAddress();
    }

    void replay(int copies) {
        replayCopies = copies;
    }

    void tamper(boolean on) {
        tamper = on;
    }

    private void deviceToGateway() {
        byte[] buf = new byte[2048];
        try {
            while (!device.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                device.receive(p);
                deviceAddress = p.getSocketAddress();
                upstream.send(new DatagramPacket(p.getData(), p.getLength(), gateway));
                // application data only (content type 23, or 25 with a connection id)
                boolean appData = p.getLength() > 13 && (buf[0] == 23 || buf[0] == 25);
                if (appData) {
                    for (int i = 0; i < replayCopies; i++) {
                        upstream.send(new DatagramPacket(p.getData(), p.getLength(), gateway));
                    }
                    if (tamper) {
                        byte[] copy = java.util.Arrays.copyOf(p.getData(), p.getLength());
                        copy[copy.length - 1] ^= 0x5a; // inside the MAC of the record
                        upstream.send(new DatagramPacket(copy, copy.length, gateway));
                    }
                }
            }
        } catch (IOException closed) {
            // relay closed
        }
    }

    private void gatewayToDevice() {
        byte[] buf = new byte[2048];
        try {
            while (!upstream.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                upstream.receive(p);
                SocketAddress to = deviceAddress;
                if (to != null) {
                    device.send(new DatagramPacket(p.getData(), p.getLength(), to));
                }
            }
        } catch (IOException closed) {
            // relay closed
        }
    }

    @Override
    public void close() {
        device.close();
        upstream.close();
    }
}
