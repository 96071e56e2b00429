// Preloaded into the Portkey gateway (node --import) for the gateway benchmark: Portkey's start
// script listens on every interface and has no option to choose one, and the benchmark must send
// no traffic beyond loopback, so every server it opens is bound to 127.0.0.1.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] !== null && typeof args[0] === "object") {
    args[0] = { ...args[0], host: "127.0.0.1" };
  } else if (typeof args[0] === "number" || typeof args[0] === "string") {
    if (typeof args[1] === "string" || args[1] === undefined || args[1] === null) args[1] = "127.0.0.1";
    else args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
