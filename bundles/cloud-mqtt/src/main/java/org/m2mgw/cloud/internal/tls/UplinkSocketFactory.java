package org.m2mgw.cloud.internal.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Makes {@link UplinkSocket}s: TLS sockets of the chosen provider with the configured groups, whose
 * server's choice of group is watched. Paho's mqttv3 and mqttv5 clients take it as their socket
 * factory for ssl:// URLs.
 */
final class UplinkSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory provider;
    private final Consumer<SSLSocket> configure;
    private final ServerHelloWatcher.Listener watcher;

    UplinkSocketFactory(SSLSocketFactory provider, Consumer<SSLSocket> configure, ServerHelloWatcher.Listener watcher) {
        this.provider = provider;
        this.configure = configure;
        this.watcher = watcher;
    }

    @Override
    public Socket createSocket() {
        return new UplinkSocket(provider, configure, watcher);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return new UplinkSocket(provider, configure, s, host, port, autoClose);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return provider.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return provider.getSupportedCipherSuites();
    }
}
