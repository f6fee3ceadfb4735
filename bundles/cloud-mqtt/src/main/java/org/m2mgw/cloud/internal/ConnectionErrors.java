package org.m2mgw.cloud.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Turns client library exceptions into one line an operator can act on. */
final class ConnectionErrors {

    private ConnectionErrors() {
    }

    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLHandshakeException || c instanceof SSLException || bouncyCastleTls(c)) {
                return "TLS handshake failed (check the truststore, the client certificate and the host name): "
                        + c.getMessage();
            }
            if (c instanceof UnknownHostException) {
                return "unknown host " + c.getMessage();
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return "broker unreachable (" + c.getMessage() + ")";
            }
            if (c instanceof SocketTimeoutException || c instanceof java.util.concurrent.TimeoutException) {
                return "timed out";
            }
        }
        int code = reasonCode(t);
        if (code == 4 || code == 134) {
            return "refused: bad user name or password";
        }
        if (code == 5 || code == 135) {
            return "refused: not authorized";
        }
        if (code == 2 || code == 133) {
            return "refused: client id rejected";
        }
        String msg = t.getMessage();
        return (msg == null ? t.getClass().getSimpleName() : msg) + (code >= 0 ? " (reason " + code + ")" : "");
    }

    /**
     * @return whether the broker could not be reached at all (refused, reset or unanswered TCP
     *     connection, unknown host), as opposed to a broker that answered and refused us (TLS,
     *     credentials, client id): only then is probing its port worth it
     */
    static boolean unreachable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException || bouncyCastleTls(c)) {
                return false;
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException
                    || c instanceof SocketTimeoutException || c instanceof java.util.concurrent.TimeoutException
                    || c instanceof UnknownHostException
                    || c instanceof java.net.SocketException || c instanceof java.io.EOFException) {
                return true;
            }
        }
        int code = reasonCode(t);
        // Paho: unable to connect to server, timed out waiting, connection lost during the connect
        return code == 32103 || code == 32000 || code == 32109;
    }

    /**
     * Bouncy Castle's JSSE reports some handshake failures (an alert from the server, for one) with
     * its own {@code org.bouncycastle.tls.TlsException}, an IOException that is no SSLException.
     * Matched by name: the bundle does not need Bouncy Castle to describe an error.
     */
    private static boolean bouncyCastleTls(Throwable t) {
        for (Class<?> k = t.getClass(); k != null; k = k.getSuperclass()) {
            if (k.getName().equals("org.bouncycastle.tls.TlsException")) {
                return true;
            }
        }
        return false;
    }

    private static int reasonCode(Throwable t) {
        if (t instanceof org.eclipse.paho.client.mqttv3.MqttException e3) {
            return e3.getReasonCode();
        }
        if (t instanceof org.eclipse.paho.mqttv5.common.MqttException e5) {
            return e5.getReasonCode();
        }
        return -1;
    }
}
