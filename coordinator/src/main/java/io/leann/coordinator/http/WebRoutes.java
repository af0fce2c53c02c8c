package io.leann.coordinator.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web page of {@code leann serve}: {@code GET /} redirects to {@code /ui/}, which answers
 * {@code index.html}; {@code GET /ui/<name>} answers the page's other files. The files live in the
 * classpath folder {@code web/}; the page calls the JSON API with the user's key, so serving it
 * needs none.
 *
 * <p>Invariants: only the names in {@link #FILES} are served, so no request path ever reaches the
 * class loader and no {@code ..}, encoded or not, can name another resource; anything else under
 * {@code /ui/} is the API's JSON 404. Every file is read once, at construction (a missing one is a
 * packaging bug and fails the start). Every answer carries a Content-Security-Policy that allows
 * scripts, styles and connections to this origin only (so a passage that slipped into the DOM as
 * markup still could not run), {@code X-Content-Type-Options: nosniff} and
 * {@code Referrer-Policy: no-referrer}; {@code Cache-Control: no-cache} with a strong ETag of the
 * content makes browsers revalidate (a 304 while the file is unchanged) and never run an old script
 * against a new server.
 *
 * <p>Immutable after construction; thread-safe.
 */
public final class WebRoutes extends AllDirectives {
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  /** Everything the page is made of, with its type; the only names {@code /ui/} answers. */
  static final Map<String, ContentType> FILES = Map.of(
      "index.html", ContentTypes.TEXT_HTML_UTF8,
      // RFC 9239: text/javascript, which Pekko has no constant for.
      "app.js", MediaTypes.customWithOpenCharset("text", "javascript", Map.of(), false, "js")
          .toContentType(HttpCharsets.UTF_8),
      "style.css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8),
      "favicon.svg", MediaTypes.IMAGE_SVG_XML.toContentType());

  private static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("Cache-Control", "no-cache"));

  private static final Uri PAGE = Uri.create("/ui/");

  private record Asset(ContentType type, byte[] bytes, EntityTag etag) {}

  private final Map<String, Asset> assets;

  public WebRoutes() {
    this.assets = FILES.entrySet().stream()
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> load(e.getKey(), e.getValue())));
  }

  /** {@code GET /}, {@code GET /ui} and {@code GET /ui/...}; every other request passes by. */
  public Route route() {
    return concat(
        pathSingleSlash(() -> get(() -> redirect(PAGE, StatusCodes.FOUND))),
        pathPrefix("ui", () -> get(() -> concat(
            pathEnd(() -> redirect(PAGE, StatusCodes.FOUND)),
            pathSingleSlash(() -> serve(assets.get("index.html"))),
            path(PathMatchers.segment(), name -> {
              Asset asset = assets.get(name);
              return asset == null ? reject() : serve(asset);
            })))));
  }

  private Route serve(Asset asset) {
    return respondWithHeaders(HEADERS, () ->
        conditional(asset.etag(), () -> complete(HttpResponse.create()
            .withEntity(asset.type(), asset.bytes()))));
  }

  private static Asset load(String name, ContentType type) {
    try (InputStream in = WebRoutes.class.getResourceAsStream("/web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the web page's file web/" + name + " is not on the classpath");
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset(type, bytes, EntityTag.create(HexFormat.of().formatHex(digest, 0, 16), false));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read web/" + name, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
