package org.m2mgw.operator.console.internal;

import jakarta.servlet.Servlet;
import org.osgi.service.component.annotations.Component;

/**
 * Web console page "m2mgw &gt; Dashboard": messages in and out per second, handshakes and their failures, the
 * durable queue (depth, age of the oldest message), the cloud connection and alerts, as charts over
 * the last hour that refresh every few seconds ({@code GET /m2mgw/api/v1/history}, {@code /rates},
 * {@code /queue}).
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + DashboardPage.LABEL,
    "felix.webconsole.title=Dashboard",
    "felix.webconsole.category=m2mgw"})
public class DashboardPage extends ConsolePage {
    static final String LABEL = "m2mgw-dashboard";
    private static final long serialVersionUID = 1L;

    public DashboardPage() {
        super(LABEL, "dashboard");
    }
}
