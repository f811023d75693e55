// A Java 17 Redis client's TLS layer, as Jedis and Lettuce set it up: a PKCS#12 key store (the
// client identity) and a PKCS#12 trust store, an SSLSocket with HTTPS endpoint identification
// (the host name must match the server certificate). Sends RESP PING to each target and prints
// one line per target: the reply, or "refused: " and the exception.
// Usage: java RedisPing.java KEYSTORE KEYSTORE_PASSWORD_FILE TRUSTSTORE TRUSTSTORE_PASSWORD_FILE HOST:PORT...
// HOST is the name checked and sent as SNI; the connection goes to 127.0.0.1:PORT.
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class RedisPing {
  static char[] password(String file) throws Exception {
    return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8).get(0).toCharArray();
  }

  static KeyStore load(String file, char[] password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }

  public static void main(String[] args) throws Exception {
    char[] keyPassword = password(args[1]);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(load(args[0], keyPassword), keyPassword);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(args[2], password(args[3])));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    for (int i = 4; i < args.length; i++) {
      int colon = args[i].lastIndexOf(':');
      String host = args[i].substring(0, colon);
      int port = Integer.parseInt(args[i].substring(colon + 1));
      try (Socket raw = new Socket()) {
        raw.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        raw.setSoTimeout(10_000);
        try (SSLSocket tls =
            (SSLSocket) context.getSocketFactory().createSocket(raw, host, port, true)) {
          SSLParameters parameters = tls.getSSLParameters();
          parameters.setEndpointIdentificationAlgorithm("HTTPS");
          tls.setSSLParameters(parameters);
          tls.startHandshake();
          tls.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
          tls.getOutputStream().flush();
          byte[] buffer = new byte[64];
          int read = tls.getInputStream().read(buffer);
          String reply = read <= 0 ? "" : new String(buffer, 0, read, StandardCharsets.US_ASCII);
          System.out.println(reply.isEmpty() ? "refused: no reply" : reply.trim());
        }
      } catch (Exception error) {
        System.out.println("refused: " + error.getClass().getSimpleName() + ": " + error.getMessage());
      }
    }
  }
}
