package org.m2mgw.bench.suite;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between one device and the gateway that counts what goes over the air: datagrams
 * and their UDP payload bytes in each direction (IP and UDP headers not counted, as the gateway's
 * {@code airtime.*} counters do not count them). {@link #rebind} moves its gateway-side socket to a
 * new port, as a NAT binding that expired while the device slept: the gateway then sees the
 * device at a new address. (The detection harness has its own relay, which replays and tampers.)
 */
final class AirtimeRelay implements AutoCloseable {

    /** What went through: device to gateway ({@code up}) and back ({@code down}). */
    record Counts(long datagramsUp, long bytesUp, long datagramsDown, long bytesDown) {
        long bytes() {
            return bytesUp + bytesDown;
        }

        long datagrams() {
            return datagramsUp + datagramsDown;
        }

        Counts minus(Counts o) {
            return new Counts(datagramsUp - o.datagramsUp, bytesUp - o.bytesUp, datagramsDown - o.datagramsDown,
                    bytesDown - o.bytesDown);
        }
    }

    private final DatagramSocket device;
    private final InetSocketAddress gateway;
    private volatile DatagramSocket upstream;
    private volatile SocketAddress deviceAddress;
    private final AtomicLong datagramsUp = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong datagramsDown = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private int rebinds;

    AirtimeRelay(InetSocketAddress gateway) throws SocketException {
        this.gateway = gateway;
        device = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        upstream = openUpstream();
        Thread up = new Thread(this::deviceToGateway, "airtime-relay-up");
        up.setDaemon(true);
        up.start();
    }

    private DatagramSocket openUpstream() throws SocketException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Thread down = new Thread(() -> gatewayToDevice(s), "airtime-relay-down-" + s.getLocalPort());
        down.setDaemon(true);
        down.start();
        return s;
    }

    /** Where the device must send: the relay's own address. */
    InetSocketAddress address() {
        return (InetSocketAddress) device.getLocalSocketAddress();
    }

    /** The gateway sees the device from a new port from now on; call it while nothing is in flight. */
    synchronized void rebind() throws SocketException {
        DatagramSocket old = upstream;
        upstream = openUpstream();
        old.close();
        rebinds++;
    }

    synchronized int rebinds() {
        return rebinds;
    }

    Counts counts() {
        return new Counts(datagramsUp.get(), bytesUp.get(), datagramsDown.get(), bytesDown.get());
    }

    private void deviceToGateway() {
        byte[] buf = new byte[4096];
        try {
            while (!device.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                device.receive(p);
                deviceAddress = p.getSocketAddress();
                datagramsUp.incrementAndGet();
                bytesUp.addAndGet(p.getLength());
                try {
                    upstream.send(new DatagramPacket(p.getData(), p.getLength(), gateway));
                } catch (IOException rebound) {
                    // the socket was replaced under us: the device's retransmission goes through the new one
                }
            }
        } catch (IOException closed) {
            // relay closed
        }
    }

    private void gatewayToDevice(DatagramSocket from) {
        byte[] buf = new byte[4096];
        try {
            while (!from.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                from.receive(p);
                datagramsDown.incrementAndGet();
                bytesDown.addAndGet(p.getLength());
                SocketAddress to = deviceAddress;
                if (to != null) {
                    device.send(new DatagramPacket(p.getData(), p.getLength(), to));
                }
            }
        } catch (IOException closed) {
            // socket replaced or relay closed
        }
    }

    @Override
    public void close() {
        device.close();
        upstream.close();
    }
}
