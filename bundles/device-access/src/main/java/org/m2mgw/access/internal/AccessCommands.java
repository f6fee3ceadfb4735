package org.m2mgw.access.internal;

import org.m2mgw.support.IpLiterals;

import java.time.Duration;
import org.m2mgw.api.access.DeviceAccessControl;
import org.m2mgw.api.access.Restriction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell commands to see and change restrictions: {@code m2mgw:restrictions},
 * {@code m2mgw:quarantine <device> <minutes> [reason]}, {@code m2mgw:throttle <device> <per-second>
 * <minutes> [reason]}, {@code m2mgw:block <ip or network/length> <minutes> [reason]} and
 * {@code m2mgw:limit <ip> <handshakes-per-second> <minutes> [reason]} and
 * {@code m2mgw:lift <quarantine|throttle|block|prefix|limit> <subject>}.
 */
@Component(service = AccessCommands.class, property = {"osgi.command.scope=m2mgw",
    "osgi.command.function=restrictions", "osgi.command.function=quarantine", "osgi.command.function=throttle",
    "osgi.command.function=block", "osgi.command.function=limit", "osgi.command.function=lift"})
public class AccessCommands {
    private final DeviceAccessControl access;

    @Activate
    public AccessCommands(@Reference DeviceAccessControl access) {
        this.access = access;
    }

    public String restrictions() {
        StringBuilder b = new StringBuilder();
        access.restrictions().forEach(r -> b.append(r).append('\n'));
        return b.length() == 0 ? "no restrictions in force" : b.toString();
    }

    public String quarantine(String device, long minutes, String... reason) {
        return access.quarantine(device, Duration.ofMinutes(minutes), String.join(" ", reason), "operator").toString();
    }

    public String throttle(String device, double perSecond, long minutes, String... reason) {
        return access.throttle(device, perSecond, Duration.ofMinutes(minutes), String.join(" ", reason), "operator")
                .toString();
    }

    public String block(String address, long minutes, String... reason) {
        String why = String.join(" ", reason);
        int slash = address.indexOf('/');
        if (slash > 0) {
            Prefix p = Prefix.parse(address);
            return access.blockPrefix(IpLiterals.parse(address.substring(0, slash)), p.length(),
                    Duration.ofMinutes(minutes), why, "operator").toString();
        }
        return access.blockAddress(address, Duration.ofMinutes(minutes), why, "operator").toString();
    }

    public String limit(String address, double perSecond, long minutes, String... reason) {
        return access.limitHandshakes(IpLiterals.parse(address), perSecond, Duration.ofMinutes(minutes),
                String.join(" ", reason), "operator").toString();
    }

    public String lift(String kind, String subject) {
        Restriction.Kind k = switch (kind.toLowerCase()) {
            case "quarantine" -> Restriction.Kind.QUARANTINE;
            case "throttle" -> Restriction.Kind.THROTTLE;
            case "block" -> subject.indexOf('/') > 0 ? Restriction.Kind.BLOCK_PREFIX : Restriction.Kind.BLOCK_ADDRESS;
            case "prefix" -> Restriction.Kind.BLOCK_PREFIX;
            case "limit" -> Restriction.Kind.LIMIT_HANDSHAKES;
            default -> throw new IllegalArgumentException("kind must be quarantine, throttle, block, prefix or limit");
        };
        return access.lift(k, subject) ? "lifted" : "no such restriction in force";
    }
}
