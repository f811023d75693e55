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

  static SSLContext contextFor(String caFile) throws Exception {
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
      socket.close();
      return "{\"accepts\":true}";
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null) root = root.getCause();
      String stage;
      if (root.getClass() == CertificateException.class) {
        // sun.security.util.HostnameChecker throws a bare CertificateException
        stage = "name";
      } else if (root instanceof CertPathBuilderException
          || root instanceof CertPathValidatorException
          || root.getClass().getName().equals("sun.security.validator.ValidatorException")) {
        stage = "trust";
      } else if (e instanceof SSLException) {
        stage = "handshake";
      } else {
        return "{\"harness\":" + quote(e.toString()) + "}";
      }
      String reason = root.getClass().getSimpleName() + ": " + root.getMessage();
      return "{\"accepts\":false,\"stage\":\"" + stage + "\",\"reason\":" + quote(reason) + "}";
    }
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
