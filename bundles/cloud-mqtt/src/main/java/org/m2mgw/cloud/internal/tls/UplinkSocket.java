package org.m2mgw.cloud.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The uplink's TLS socket: a TLS socket of the chosen provider, layered over a TCP socket whose
 * incoming bytes a {@link ServerHelloWatcher} reads along, with the configured groups applied
 * before the handshake and again after each {@link #setSSLParameters}.
 *
 * <p>Paho creates it unconnected and then connects it; the TLS layer is made at {@link #connect},
 * over the connected TCP socket. TLS settings made before that are kept and replayed on it.
 * Socket options always go to the TCP socket (the TLS layer would forward them there anyway).
 */
final class UplinkSocket extends SSLSocket {
    private final SSLSocketFactory provider;
    private final Consumer<SSLSocket> configure;
    private final Socket tcp;
    /** TLS settings made before connect, replayed on the TLS layer. */
    private final List<Consumer<SSLSocket>> pending = new ArrayList<>();
    private volatile SSLSocket tls;

    /**
     * @param provider the TLS provider's socket factory
     * @param configure applies the groups to a TLS socket of that provider
     * @param watcher receives what the server's first flight says; {@code null} to not watch
     */
    UplinkSocket(SSLSocketFactory provider, Consumer<SSLSocket> configure, ServerHelloWatcher.Listener watcher) {
        this.provider = provider;
        this.configure = configure;
        this.tcp = watcher == null ? new Socket() : new WatchedSocket(watcher);
    }

    /** Over a socket the caller connected: not watched, but configured. */
    UplinkSocket(SSLSocketFactory provider, Consumer<SSLSocket> configure, Socket connected, String host, int port,
            boolean autoClose) throws IOException {
        this.provider = provider;
        this.configure = configure;
        this.tcp = connected;
        SSLSocket s = (SSLSocket) provider.createSocket(connected, host, port, autoClose);
        configure.accept(s);
        this.tls = s;
    }

    /** A plain TCP socket whose input stream is watched. */
    private static final class WatchedSocket extends Socket {
        private final ServerHelloWatcher.Listener listener;
        private InputStream in;

        WatchedSocket(ServerHelloWatcher.Listener listener) {
            this.listener = listener;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new ServerHelloWatcher(super.getInputStream(), listener);
            }
            return in;
        }
    }

    // --- connecting ---

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (tls != null) {
            throw new SocketException("already connected");
        }
        if (!(endpoint instanceof InetSocketAddress address)) {
            throw new IllegalArgumentException("unsupported address type " + endpoint);
        }
        try {
            tcp.connect(endpoint, timeout);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
        try {
            // The host as given (not a reverse lookup): it is the SNI name and what the
            // certificate is checked against.
            SSLSocket s = (SSLSocket) provider.createSocket(tcp, address.getHostString(), address.getPort(), true);
            synchronized (pending) {
                pending.forEach(p -> p.accept(s));
                pending.clear();
            }
            configure.accept(s);
            tls = s;
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        tcp.bind(bindpoint);
    }

    private SSLSocket tls() throws SocketException {
        SSLSocket s = tls;
        if (s == null) {
            throw new SocketException("not connected");
        }
        return s;
    }

    /** Applies a TLS setting now, or at connect. */
    private void set(Consumer<SSLSocket> setting) {
        synchronized (pending) {
            SSLSocket s = tls;
            if (s == null) {
                pending.add(setting);
            } else {
                setting.accept(s);
            }
        }
    }

    /** Answers a TLS question from the TLS layer, or, before connect, from the provider's defaults. */
    private <T> T get(java.util.function.Function<SSLSocket, T> question, T beforeConnect) {
        SSLSocket s = tls;
        return s == null ? beforeConnect : question.apply(s);
    }

    // --- TLS ---

    @Override
    public void startHandshake() throws IOException {
        tls().startHandshake();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        set(s -> {
            s.setSSLParameters(params);
            configure.accept(s);
        });
    }

    @Override
    public SSLParameters getSSLParameters() {
        return get(SSLSocket::getSSLParameters, new SSLParameters(provider.getDefaultCipherSuites()));
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return provider.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return get(SSLSocket::getEnabledCipherSuites, provider.getDefaultCipherSuites());
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        set(s -> s.setEnabledCipherSuites(suites));
    }

    @Override
    public String[] getSupportedProtocols() {
        return get(SSLSocket::getSupportedProtocols, new String[0]);
    }

    @Override
    public String[] getEnabledProtocols() {
        return get(SSLSocket::getEnabledProtocols, new String[0]);
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        set(s -> s.setEnabledProtocols(protocols));
    }

    @Override
    public SSLSession getSession() {
        SSLSocket s = tls;
        if (s == null) {
            throw new IllegalStateException("not connected");
        }
        return s.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return get(SSLSocket::getHandshakeSession, null);
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        set(s -> s.addHandshakeCompletedListener(listener));
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        set(s -> s.removeHandshakeCompletedListener(listener));
    }

    @Override
    public void setUseClientMode(boolean mode) {
        set(s -> s.setUseClientMode(mode));
    }

    @Override
    public boolean getUseClientMode() {
        return get(SSLSocket::getUseClientMode, true);
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        set(s -> s.setNeedClientAuth(need));
    }

    @Override
    public boolean getNeedClientAuth() {
        return get(SSLSocket::getNeedClientAuth, false);
    }

    @Override
    public void setWantClientAuth(boolean want) {
        set(s -> s.setWantClientAuth(want));
    }

    @Override
    public boolean getWantClientAuth() {
        return get(SSLSocket::getWantClientAuth, false);
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        set(s -> s.setEnableSessionCreation(flag));
    }

    @Override
    public boolean getEnableSessionCreation() {
        return get(SSLSocket::getEnableSessionCreation, true);
    }

    @Override
    public String getApplicationProtocol() {
        return get(SSLSocket::getApplicationProtocol, null);
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return get(SSLSocket::getHandshakeApplicationProtocol, null);
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> selector) {
        set(s -> s.setHandshakeApplicationProtocolSelector(selector));
    }

    @Override
    public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return get(SSLSocket::getHandshakeApplicationProtocolSelector, null);
    }

    // --- streams and closing: the TLS layer ---

    @Override
    public InputStream getInputStream() throws IOException {
        return tls().getInputStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return tls().getOutputStream();
    }

    @Override
    public void close() throws IOException {
        SSLSocket s = tls;
        try {
            if (s != null) {
                s.close();
            }
        } finally {
            tcp.close();
        }
    }

    @Override
    public boolean isClosed() {
        SSLSocket s = tls;
        return s != null ? s.isClosed() : tcp.isClosed();
    }

    @Override
    public void shutdownInput() throws IOException {
        tls().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        tls().shutdownOutput();
    }

    @Override
    public boolean isInputShutdown() {
        SSLSocket s = tls;
        return s != null ? s.isInputShutdown() : tcp.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        SSLSocket s = tls;
        return s != null ? s.isOutputShutdown() : tcp.isOutputShutdown();
    }

    // --- the TCP socket ---

    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public boolean isConnected() {
        return tcp.isConnected();
    }

    @Override
    public boolean isBound() {
        return tcp.isBound();
    }

    @Override
    public InetAddress getInetAddress() {
        return tcp.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return tcp.getLocalAddress();
    }

    @Override
    public int getPort() {
        return tcp.getPort();
    }

    @Override
    public int getLocalPort() {
        return tcp.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return tcp.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return tcp.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        tcp.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return tcp.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        tcp.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return tcp.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported on a TLS socket");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        throw new SocketException("OOB inline is not supported on a TLS socket");
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return false;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        tcp.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return tcp.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        tcp.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return tcp.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        tcp.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return tcp.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        tcp.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return tcp.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        tcp.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return tcp.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        tcp.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return tcp.getReuseAddress();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        tcp.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        tcp.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return tcp.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return tcp.supportedOptions();
    }

    @Override
    public String toString() {
        SSLSocket s = tls;
        return "UplinkSocket[" + (s != null ? s : tcp) + "]";
    }
}
