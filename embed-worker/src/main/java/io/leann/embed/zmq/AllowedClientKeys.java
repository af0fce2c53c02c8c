package io.leann.embed.zmq;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZAuth;
import org.zeromq.ZMsg;

/**
 * The CURVE policy of a {@link RecomputeServer}'s {@link ZAuth} handler: a client is admitted if
 * its public key is one of the configured ones. In memory, unlike JeroMQ's certificate-directory
 * policy, so keys come from configuration and no files are written. Immutable; called on the
 * ZAuth actor's thread.
 */
final class AllowedClientKeys implements ZAuth.Auth {
  private static final Logger log = LoggerFactory.getLogger(AllowedClientKeys.class);

  private final Set<String> allowed;

  AllowedClientKeys(Set<String> allowed) {
    this.allowed = Set.copyOf(allowed);
  }

  /** Configuration comes from the constructor; ZAuth commands cannot change it. */
  @Override
  public boolean configure(ZMsg msg, boolean verbose) {
    return false;
  }

  @Override
  public boolean authorize(ZAuth.ZapRequest request, boolean verbose) {
    if (allowed.contains(request.clientKey)) {
      request.userId = request.clientKey;
      return true;
    }
    // Public keys are not secrets: naming the refused one tells the operator what to allow.
    log.warn("refused a CURVE client from {} with public key {}: not in allowed-clients", request.address,
        request.clientKey);
    return false;
  }
}
