// What a Java Redis client's TLS socket does with and without HTTPS endpoint identification:
// JSSE verifies the chain against the trust store either way, and the host name only when
// endpoint identification is set (Jedis before 7.5.0 with ssl(true) sets none). Trust: every
// certificate of a PEM CA file; identity: a PEM certificate and its PKCS#8 key. Connects to
// 127.0.0.1:PORT with NAME as SNI and host, sends RESP PING, prints the reply or "refused: ...".
// Usage: java JsseNameCheck.java CA CERT KEY PORT NAME identify|no-identify
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class JsseNameCheck {
  static Certificate[] certificates(String file) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new Certificate[0]);
    }
  }

  public static void main(String[] args) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    Certificate[] cas = certificates(args[0]);
    for (int i = 0; i < cas.length; i++) trusted.setCertificateEntry("ca" + i, cas[i]);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    Certificate[] chain = certificates(args[1]);
    String pem = Files.readString(Path.of(args[2]), StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    String base64 = pem.substring(pem.indexOf(begin) + begin.length(), pem.indexOf("-----END PRIVATE KEY-----"));
    PrivateKey key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm())
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(base64)));
    char[] password = "in memory only".toCharArray();
    KeyStore identity = KeyStore.getInstance("PKCS12");
    identity.load(null, null);
    identity.setKeyEntry("client", key, password, chain);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(identity, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    int port = Integer.parseInt(args[3]);
    String name = args[4];
    try (Socket raw = new Socket()) {
      raw.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      raw.setSoTimeout(10_000);
      try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, name, port, true)) {
        if (args[5].equals("identify")) {
          SSLParameters parameters = tls.getSSLParameters();
          parameters.setEndpointIdentificationAlgorithm("HTTPS");
          tls.setSSLParameters(parameters);
        }
        tls.startHandshake();
        tls.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
        tls.getOutputStream().flush();
        byte[] reply = new byte[64];
        int read = tls.getInputStream().read(reply);
        System.out.println(read > 0 ? new String(reply, 0, read, StandardCharsets.US_ASCII).trim() : "refused: no reply");
      }
    } catch (Exception error) {
      System.out.println("refused: " + error.getClass().getSimpleName() + ": " + error.getMessage());
    }
  }
}
