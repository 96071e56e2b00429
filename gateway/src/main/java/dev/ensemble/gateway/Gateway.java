package dev.ensemble.gateway;

/**
 * A running gateway: what {@code exec} and {@code go} start in-process for a run, and what
 * {@code ensemble gateway} keeps running until interrupted. Closing it stops accepting requests
 * and ends the streams in flight.
 */
public interface Gateway extends AutoCloseable {

    /** {@code http://127.0.0.1:PORT}, without a trailing slash: point a client's base URL here. */
    String baseUrl();

    int port();

    @Override
    void close();
}
