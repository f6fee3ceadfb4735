package org.m2mgw.transport.coaps.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A one-client UDP relay that behaves like a NAT: {@link #rebind()} gives the client a new
 * outside address (a new source port towards the server) without the client knowing, as when a
 * cellular device's NAT mapping expires.
 */
final class UdpNat implements AutoCloseable {
    private final DatagramSocket inside;
    private final InetSocketAddress server;
    private volatile DatagramSocket outside;
    private volatile SocketAddress client;
    private volatile boolean running = true;
    private volatile byte[] lastFromClient;
    /** Datagrams and bytes relayed: client to server, and server to client. */
    final java.util.concurrent.atomic.AtomicLong datagramsUp = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong bytesUp = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong datagramsDown = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong bytesDown = new java.util.concurrent.atomic.AtomicLong();

    UdpNat(InetSocketAddress server) throws SocketException {
        this.server = server;
        this.inside = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.outside = newOutside();
        Thread t = new Thread(this::fromClient, "nat-in");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) inside.getLocalSocketAddress();
    }

    int outsidePort() {
        return outside.getLocalPort();
    }

    private DatagramSocket newOutside() throws SocketException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Thread t = new Thread(() -> fromServer(s), "nat-out");
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** Sends the client's last datagram to the server once more, as an attacker on the path would. */
    void replayLast() throws IOException {
        byte[] d = lastFromClient;
        outside.send(new DatagramPacket(d, d.length, server));
    }

    /**
     * Sends the client's last datagram with a forged, higher sequence number (record header bytes
     * 5..10, RFC 6347 section 4.1): it passes the replay window but must fail its MAC, since the
     * sequence number is part of the AEAD nonce and additional data.
     */
    void tamperLast() throws IOException {
        byte[] d = lastFromClient.clone();
        d[8] ^= 0x40;
        outside.send(new DatagramPacket(d, d.length, server));
    }

    /** Moves the client to a new outside port. */
    void rebind() throws SocketException {
        DatagramSocket old = outside;
        outside = newOutside();
        old.close();
    }

    private void fromClient() {
        byte[] buf = new byte[2048];
        while (running) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                inside.receive(p);
                client = p.getSocketAddress();
                lastFromClient = java.util.Arrays.copyOf(p.getData(), p.getLength());
                outside.send(new DatagramPacket(p.getData(), p.getLength(), server));
                datagramsUp.incrementAndGet();
                bytesUp.addAndGet(p.getLength());
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void fromServer(DatagramSocket s) {
        byte[] buf = new byte[2048];
        while (running && !s.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                SocketAddress c = client;
                if (c != null) {
                    datagramsDown.incrementAndGet();
                    bytesDown.addAndGet(p.getLength());
                    inside.send(new DatagramPacket(p.getData(), p.getLength(), c));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        inside.close();
        outside.close();
    }
}
