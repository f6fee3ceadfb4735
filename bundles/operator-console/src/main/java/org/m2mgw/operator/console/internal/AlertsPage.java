package org.m2mgw.operator.console.internal;

import jakarta.servlet.Servlet;
import org.osgi.service.component.annotations.Component;

/**
 * Web console page "m2mgw &gt; Alerts": the alert log, newest first, filtered by rule, device and state, with
 * "Acknowledge" and a link to the device's page.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + AlertsPage.LABEL,
    "felix.webconsole.title=Alerts",
    "felix.webconsole.category=m2mgw"})
public class AlertsPage extends ConsolePage {
    static final String LABEL = "m2mgw-alerts";
    private static final long serialVersionUID = 1L;

    public AlertsPage() {
        super(LABEL, "alerts");
    }
}
