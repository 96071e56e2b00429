package dev.ensemble.gateway;

import dev.ensemble.core.WireProtocol;
import java.time.Duration;

/**
 * What the server tells about each client request as it happens: the seam between the server and
 * whatever counts requests ({@code observe.GatewayMetrics} implements it), so that the server
 * needs no metrics library. Every method is called on the request's own thread and must be quick
 * and never throw; labels passed here are names and fixed words, never a key or free text.
 */
public interface GatewayEvents {
    /** Tells nothing. */
    GatewayEvents NONE = new GatewayEvents() { };

    /** A client's request answered (or failed) with {@code httpStatus}; {@code timeToFirstByte} zero when nothing was sent. */
    default void requestServed(WireProtocol clientWire, String requestedModel, int httpStatus, Duration latency,
                               Duration timeToFirstByte) { }

    /** A request refused before anything was sent upstream; {@code reason} is {@link Admission.Refused#reason}. */
    default void refused(WireProtocol clientWire, String reason) { }

    /** A request answered by {@code toModel} after {@code fromModel}, its first choice, failed before its first byte. */
    default void fallback(WireProtocol clientWire, String fromModel, String toModel) { }

    /** A streamed request began being answered; {@link #streamClosed} follows it, whatever the outcome. */
    default void streamOpened(WireProtocol clientWire) { }

    default void streamClosed(WireProtocol clientWire) { }
}
