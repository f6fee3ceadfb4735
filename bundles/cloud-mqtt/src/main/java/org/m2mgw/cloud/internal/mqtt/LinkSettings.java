package org.m2mgw.cloud.internal.mqtt;

import javax.net.ssl.SSLSocketFactory;

/** What a link needs to connect. The password is held only as long as the link. */
public record LinkSettings(String brokerUrl, String clientId, String username, char[] password,
        int keepAliveSeconds, boolean cleanStart, long sessionExpirySeconds, int connectTimeoutSeconds,
        SSLSocketFactory socketFactory, boolean hostnameVerification, int maxInflight) {

    @Override
    public String toString() {
        // Never print the password.
        return "LinkSettings[" + brokerUrl + ", client " + clientId + (username == null ? "" : ", user " + username)
                + "]";
    }
}
