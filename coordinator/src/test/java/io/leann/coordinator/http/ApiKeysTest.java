package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where keys come from, which scopes need one, and that no key is ever printed. */
class ApiKeysTest {
  @TempDir Path dir;

  @Test
  void scopesIncludeTheOnesBelow() {
    assertTrue(Scope.ADMIN.includes(Scope.WRITE) && Scope.ADMIN.includes(Scope.READ));
    assertTrue(Scope.WRITE.includes(Scope.READ) && !Scope.WRITE.includes(Scope.ADMIN));
    assertFalse(Scope.READ.includes(Scope.WRITE));
  }

  @Test
  void keysFromTheEnvironment() {
    ApiKeys keys = ApiKeys.fromConfig(ConfigFactory.empty(), Map.of("LEANN_READ_API_KEY", "r-key",
        "LEANN_API_KEY", " w-key ", "LEANN_ADMIN_KEY", "a-key", "LEANN_ADMIN_TOKEN", "legacy-token"));
    assertEquals(Optional.of(Scope.READ), keys.scopeOf("r-key"));
    assertEquals(Optional.of(Scope.WRITE), keys.scopeOf("w-key"));
    assertEquals(Optional.of(Scope.ADMIN), keys.scopeOf("a-key"));
    assertEquals(Optional.of(Scope.ADMIN), keys.scopeOf("legacy-token"));
    assertEquals(Optional.empty(), keys.scopeOf("w-ke"));
    assertEquals(Optional.empty(), keys.scopeOf(""));
    assertTrue(keys.needsKey(Scope.READ), "a read key makes reads need a key");
  }

  @Test
  void whichScopesNeedAKey() {
    assertFalse(ApiKeys.none().needsKey(Scope.ADMIN), "no keys: a development server, all open");
    ApiKeys writer = ApiKeys.none().with(Scope.WRITE, "w");
    assertTrue(writer.needsKey(Scope.WRITE) && writer.needsKey(Scope.ADMIN));
    assertFalse(writer.needsKey(Scope.READ), "reads stay open without a read key");
    assertTrue(writer.requiringReadKey(true).needsKey(Scope.READ));
    ApiKeys admin = ApiKeys.fromConfig(ConfigFactory.parseString("leann.http.require-read-key = true"),
        Map.of("LEANN_ADMIN_TOKEN", "t"));
    assertTrue(admin.needsKey(Scope.READ) && admin.needsKey(Scope.WRITE));
    assertFalse(ApiKeys.fromConfig(ConfigFactory.parseString("leann.http.require-read-key = true"),
        Map.of("LEANN_ADMIN_TOKEN", "t", "LEANN_REQUIRE_READ_KEY", "false")).needsKey(Scope.READ));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> ApiKeys.fromConfig(ConfigFactory.empty(), Map.of("LEANN_REQUIRE_READ_KEY", "maybe")));
    assertTrue(bad.getMessage().contains("LEANN_REQUIRE_READ_KEY"), bad.getMessage());
  }

  @Test
  void keysFile() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, """
        # rotated monthly
        read   reader-1
        READ   reader-2

        write  writer-1
        admin  boss-1
        """);
    ApiKeys keys = ApiKeys.fromConfig(ConfigFactory.parseString("leann.http.keys-file = \"" + file + "\""),
        Map.of("LEANN_API_KEY", "writer-env"));
    assertEquals(Optional.of(Scope.READ), keys.scopeOf("reader-2"));
    assertEquals(Optional.of(Scope.WRITE), keys.scopeOf("writer-1"));
    assertEquals(Optional.of(Scope.WRITE), keys.scopeOf("writer-env"));
    assertEquals(Optional.of(Scope.ADMIN), keys.scopeOf("boss-1"));
    assertEquals("ApiKeys[read=2, write=2, admin=1, requireReadKey=false]", keys.toString());
    assertEquals(keys, ApiKeys.none().with(Scope.WRITE, "writer-env").withFile(file));

    Path env = dir.resolve("env-keys");
    Files.writeString(env, "admin from-env-file\n");
    assertEquals(Optional.of(Scope.ADMIN), ApiKeys.fromConfig(ConfigFactory.parseString(
        "leann.http.keys-file = \"" + file + "\""), Map.of("LEANN_KEYS_FILE", env.toString())).scopeOf("from-env-file"));
  }

  @Test
  void aMalformedKeysFileNamesTheLineNotTheKey() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "read ok-key\nsuperuser hunter2-secret\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKeys.none().withFile(file));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    Files.writeString(file, "write\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiKeys.none().withFile(file)).getMessage()
        .contains("line 1"));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> ApiKeys.none().withFile(dir.resolve("absent")));
    assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
  }

  @Test
  void oneKeyCannotHaveTwoScopes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ApiKeys.fromConfig(ConfigFactory.empty(), Map.of("LEANN_READ_API_KEY", "dup-key-value", "LEANN_API_KEY", "dup-key-value")));
    assertTrue(e.getMessage().contains("read") && e.getMessage().contains("write"), e.getMessage());
    assertFalse(e.getMessage().contains("dup-key-value"), e.getMessage());
    assertEquals(ApiKeys.none().with(Scope.ADMIN, "t"),
        ApiKeys.fromConfig(ConfigFactory.empty(), Map.of("LEANN_ADMIN_KEY", "t", "LEANN_ADMIN_TOKEN", "t")));
  }

  @Test
  void settingsNeverPrintAKey() {
    HttpSettings settings = HttpSettings.fromConfig(ConfigFactory.empty(), Map.of("LEANN_API_KEY", "do-not-print-1",
        "LEANN_ADMIN_KEY", "do-not-print-2", "LEANN_CORS_ORIGINS", "https://app.example, http://localhost:5173"));
    assertFalse(settings.toString().contains("do-not-print"), settings.toString());
    assertFalse(settings.keys().toString().contains("do-not-print"));
    assertEquals(java.util.List.of("https://app.example", "http://localhost:5173"), settings.corsOrigins());
  }
}
