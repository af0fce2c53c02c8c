package io.leann.coordinator.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.zeromq.ZMQ;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code leann keygen}: a new CURVE key pair (Z85) for the ZeroMQ recompute sockets, printed for
 * the operator to place in the server's or the client's settings. The keys are generated here and
 * stored nowhere.
 */
@Command(name = "keygen", description = "Print a new CURVE key pair (Z85) for embed servers and their clients"
    + " (leann.embed.server.curve, leann.shard.recompute.curve, LEANN_ZMQ_* variables).")
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
    PrintWriter out = spec.commandLine().getOut();
    out.println("public-key = " + pair.publicKey);
    out.println("secret-key = " + pair.secretKey);
    out.flush();
    return 0;
  }
}
