// Java 17 JSSE (Jedis, Lettuce) verdicts for the stack-matrix harness: a single-file program.
//
// stdin: one case a line, "addr<TAB>port<TAB>host<TAB>cafile"; stdout: one JSON verdict a line
// {"accepts", "stage", "reason"}, or {"harness": text} when the TCP connection itself failed (no
// verdict: the harness reports it as its own error).

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class StackClient {
  public static void main(String[] args) throws Exception {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] f = line.split("\t", -1);
      System.out.println(judge(f[0], Integer.parseInt(f[1]), f[2], f[3]));
    }
    System.out.flush();
  }

  /** One context per CA file: building a trust store dominates a loopback handshake. */
  static final Map<String, SSLContext> CONTEXTS = new HashMap<>();

  static SSLContext contextFor(String caFile) throws Exception {
    SSLContext cached = CONTEXTS.get(caFile);
    if (cached != null) return cached;
    // Every certificate of the CA file is a trusted entry, as keytool -importcert would make it.
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    try (InputStream in = new FileInputStream(caFile)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca" + i++, c);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    CONTEXTS.put(caFile, context);
    return context;
  }

  static String judge(String addr, int port, String host, String caFile) {
    Socket raw = new Socket();
    try {
      raw.connect(new InetSocketAddress(addr, port), 10_000);
      raw.setSoTimeout(10_000);
    } catch (IOException e) {
      return "{\"harness\":" + quote(e.toString()) + "}";
    }
    try (Socket closing = raw) {
      SSLContext context = contextFor(caFile);
      SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, host, port, true);
      SSLParameters params = socket.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(params);
      socket.startHandshake();
      // Contexts are shared: a resumed session must never stand in for a later case's check.
      socket.getSession().invalidate();
      socket.close();
      return "{\"accepts\":true}";
    } catch (Exception e) {
      // sun.security.util.HostnameChecker (and X509TrustManagerImpl for a host name IDN refuses)
      // throw a bare CertificateException; path building and validation throw its subclass
      // ValidatorException or the CertPath exceptions.
      Throwable name = null;
      boolean trust = false;
      Throwable root = e;
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (name == null && c.getClass() == CertificateException.class) name = c;
        if (c instanceof CertPathBuilderException
            || c instanceof CertPathValidatorException
            || c.getClass().getName().equals("sun.security.validator.ValidatorException")) {
          trust = true;
        }
        root = c;
      }
      String stage;
      String reason;
      if (trust) {
        stage = "trust";
        reason = describe(root);
      } else if (name != null) {
        stage = "name";
        reason = describe(name) + (name.getCause() == null ? "" : " (" + describe(root) + ")");
      } else if (e instanceof SSLException) {
        stage = "handshake";
        reason = describe(root);
      } else {
        return "{\"harness\":" + quote(e.toString()) + "}";
      }
      return "{\"accepts\":false,\"stage\":\"" + stage + "\",\"reason\":" + quote(reason) + "}";
    }
  }

  static String describe(Throwable t) {
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }
}
