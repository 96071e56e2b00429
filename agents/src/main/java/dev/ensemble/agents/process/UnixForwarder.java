package dev.ensemble.agents.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outside half of a forward into a network namespace: accepts connections on a Unix socket
 * (bound into the sandbox, where {@code socat} turns a loopback TCP port into connections to it)
 * and pipes each one to one fixed TCP endpoint. The child can reach that endpoint and nothing else:
 * which endpoint is decided here, outside, not by anything the child sends.
 */
final class UnixForwarder implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Endpoint target;
    private final Path socket;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    UnixForwarder(Path socket, Endpoint target) throws IOException {
        this.socket = socket;
        this.target = target;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofVirtual().name("sandbox-forward-" + target).start(this::accept);
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel inside;
            try {
                inside = server.accept();
            } catch (IOException e) {
                return;
            }
            open.add(inside);
            Thread.ofVirtual().start(() -> connect(inside));
        }
    }

    private void connect(SocketChannel inside) {
        try (inside; SocketChannel outside = SocketChannel.open(new InetSocketAddress(target.host(), target.port()))) {
            open.add(outside);
            Thread back = Thread.ofVirtual().start(() -> pump(outside, inside));
            pump(inside, outside);
            back.join();
        } catch (IOException e) {
            // The endpoint refused or went away: the child sees its connection closed.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(inside);
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) to.write(buffer);
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        open.remove(from);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (SocketChannel channel : open) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        acceptor.interrupt();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the scratch folder goes with it
        }
    }
}
