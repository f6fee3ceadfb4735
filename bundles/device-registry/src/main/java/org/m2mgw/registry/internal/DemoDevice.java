package org.m2mgw.registry.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.m2mgw.api.device.Device;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.m2mgw.support.PrivateFiles;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For the standalone distro's first start (framework property {@value #ENABLE}): registers the
 * device {@value #DEVICE_ID} with a random pre-shared key written to a 0600 file in the data
 * directory, so that a device can post at once without any well-known key. It is created once:
 * if the key file exists, nothing happens, so an operator who removes the device keeps it removed.
 */
@Component(immediate = true, service = {})
public class DemoDevice {
    static final String ENABLE = "m2mgw.demo.device";
    static final String DEVICE_ID = "demo-sensor-1";
    private static final char[] ALPHABET =
            "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final Logger LOG = LoggerFactory.getLogger(DemoDevice.class);

    @Activate
    public DemoDevice(BundleContext context, @Reference DeviceRegistryComponent registry,
            @Reference GatewayRuntime runtime) {
        if (!Boolean.parseBoolean(context.getProperty(ENABLE))) {
            return;
        }
        Path keyFile = runtime.dataDirectory("demo").resolve(DEVICE_ID + ".key");
        if (Files.exists(keyFile) || registry.device(DEVICE_ID).isPresent()) {
            return;
        }
        SecureRandom random = new SecureRandom();
        char[] key = new char[20];
        for (int i = 0; i < key.length; i++) {
            key[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        byte[] secret = new String(key).getBytes(StandardCharsets.US_ASCII);
        try {
            PrivateFiles.write(keyFile, secret);
            registry.put(Device.builder(DEVICE_ID).pskIdentity(DEVICE_ID).allow("telemetry/*").allow("events/*")
                    .allow("commands").metadata(Map.of("demo", "true")).build(), secret);
            String msg = "Demo device '" + DEVICE_ID + "' registered; its pre-shared key is in " + keyFile
                    + " (readable by this user only)";
            System.out.println("m2mgw: " + msg);
            LOG.info(msg);
        } catch (IOException | RuntimeException e) {
            LOG.error("Demo device not created: {}", e.getMessage());
        }
    }
}
