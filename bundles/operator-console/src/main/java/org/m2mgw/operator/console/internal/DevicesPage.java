package org.m2mgw.operator.console.internal;

import jakarta.servlet.Servlet;
import org.osgi.service.component.annotations.Component;

/**
 * Web console page "m2mgw &gt; Devices": the searchable, sortable, paged device table; with {@code ?id=<device>}
 * one device's page (sessions, metadata of recent messages, never payloads, counters, commands
 * waiting; disable or enable, quarantine, rotate its key, queue a command); and the form that adds a
 * device, whose generated pre-shared key is shown once.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + DevicesPage.LABEL,
    "felix.webconsole.title=Devices",
    "felix.webconsole.category=m2mgw"})
public class DevicesPage extends ConsolePage {
    static final String LABEL = "m2mgw-devices";
    private static final long serialVersionUID = 1L;

    public DevicesPage() {
        super(LABEL, "devices");
    }
}
