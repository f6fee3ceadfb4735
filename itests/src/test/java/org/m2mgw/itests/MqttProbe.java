package org.m2mgw.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Checks that a real MQTT broker answers on a port, with no client library. */
public final class MqttProbe {

    private MqttProbe() {
    }

    /** Sends a minimal MQTT 3.1.1 CONNECT (OASIS MQTT 3.1.1, section 3.1) and expects CONNACK 0. */
    public static boolean connackOk(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(3000);
            byte[] clientId = "itest".getBytes(StandardCharsets.US_ASCII);
            byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 30};
            int remaining = variable.length + 2 + clientId.length;
            OutputStream out = s.getOutputStream();
            out.write(0x10);
            out.write(remaining);
            out.write(variable);
            out.write(0);
            out.write(clientId.length);
            out.write(clientId);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] ack = in.readNBytes(4);
            return ack.length == 4 && (ack[0] & 0xff) == 0x20 && ack[1] == 2 && ack[3] == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
