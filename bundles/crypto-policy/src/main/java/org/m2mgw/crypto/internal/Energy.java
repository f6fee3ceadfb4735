package org.m2mgw.crypto.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Locale;
import org.m2mgw.api.crypto.Airtime;
import org.m2mgw.api.crypto.CryptoPolicy;

/**
 * What airtime costs a device's radio, by the coefficients of the crypto policy in force when the
 * inventory is read. The device transmits what the gateway received ({@link Airtime#bytesIn()}) and
 * receives what the gateway sent ({@link Airtime#bytesOut()}). Computed in decimal, so small
 * numbers come out exact (300 bytes at 1670.4 nJ are 0.50112 mJ, not 0.5011199999).
 *
 * @param txNanojoulesPerByte what a device spends per byte it sends
 * @param rxNanojoulesPerByte what a device spends per byte it receives
 */
record Energy(double txNanojoulesPerByte, double rxNanojoulesPerByte) {
    /** The API's defaults (Texas Instruments CC2420). */
    static final Energy DEFAULT = new Energy(CryptoPolicy.DEFAULT_TX_NJ_PER_BYTE, CryptoPolicy.DEFAULT_RX_NJ_PER_BYTE);
    private static final BigDecimal NJ_PER_MJ = BigDecimal.valueOf(1_000_000);

    /** A coefficient that is not a finite number of at least 0 is replaced by its default. */
    Energy {
        txNanojoulesPerByte = usable(txNanojoulesPerByte) ? txNanojoulesPerByte : CryptoPolicy.DEFAULT_TX_NJ_PER_BYTE;
        rxNanojoulesPerByte = usable(rxNanojoulesPerByte) ? rxNanojoulesPerByte : CryptoPolicy.DEFAULT_RX_NJ_PER_BYTE;
    }

    /** @return the coefficients {@code policy} holds now; the defaults without a policy */
    static Energy of(CryptoPolicy policy) {
        return policy == null ? DEFAULT
                : new Energy(policy.deviceTxNanojoulesPerByte(), policy.deviceRxNanojoulesPerByte());
    }

    /** @return the device's radio energy for {@code a}, in millijoules, exact */
    BigDecimal millijoules(Airtime a) {
        return BigDecimal.valueOf(a.bytesIn()).multiply(BigDecimal.valueOf(txNanojoulesPerByte))
                .add(BigDecimal.valueOf(a.bytesOut()).multiply(BigDecimal.valueOf(rxNanojoulesPerByte)))
                .divide(NJ_PER_MJ);
    }

    /** @return the device's radio energy for all of {@code airtime}, in millijoules, exact */
    BigDecimal millijoules(Collection<Airtime> airtime) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Airtime a : airtime) {
            sum = sum.add(millijoules(a));
        }
        return sum;
    }

    /** @return mean millijoules per completed handshake of {@code a}, to the microjoule; null without handshakes */
    BigDecimal millijoulesPerHandshake(Airtime a) {
        return a.handshakes() == 0 ? null
                : millijoules(a).divide(BigDecimal.valueOf(a.handshakes()), 3, RoundingMode.HALF_UP);
    }

    /** @return {@code mj} as a JSON number to the microjoule, without exponent or trailing zeros: {@code 1.764} */
    static String json(BigDecimal mj) {
        return mj.setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** @return a coefficient as a JSON number: {@code 1670.4}, {@code 1500} */
    static String json(double nanojoules) {
        return BigDecimal.valueOf(nanojoules).stripTrailingZeros().toPlainString();
    }

    /** @return {@code mj} rounded to whole millijoules (half up), for counters */
    static long rounded(BigDecimal mj) {
        return mj.setScale(0, RoundingMode.HALF_UP).longValue();
    }

    /** @return {@code mj} in at most 5 characters with a unit: 0mJ, 2.5mJ, 22mJ, 1.8J, 140J, 3.1kJ */
    static String compact(BigDecimal mj) {
        if (mj.signum() == 0) {
            return "0mJ";
        }
        String[] units = {"mJ", "J", "kJ", "MJ", "GJ"};
        double v = mj.doubleValue();
        int u = 0;
        while (v >= 999.5 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 9.95 ? "%.1f%s" : "%.0f%s", v, units[u]);
    }

    private static boolean usable(double v) {
        return Double.isFinite(v) && v >= 0;
    }
}
