// Reads back the string constants of Java connection snippets as javac compiles them: for each
// folder DIR/N holding a RedisTls.java, compiles it in-process (javax.tools), loads the class and
// prints one line per String constant: N, the field name, and its UTF-16 code units in hex
// (ASCII output whatever the locale). Usage: java SnippetLiterals.java DIR
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

public class SnippetLiterals {
  public static void main(String[] args) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    File[] dirs = new File(args[0]).listFiles(File::isDirectory);
    Arrays.sort(dirs);
    for (File dir : dirs) {
      File source = new File(dir, "RedisTls.java");
      File out = new File(dir, "out");
      out.mkdir();
      int code = javac.run(null, null, null, "-encoding", "US-ASCII", "-d", out.getPath(), source.getPath());
      if (code != 0) {
        System.out.println(dir.getName() + " javac-failed " + code);
        continue;
      }
      try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toURI().toURL()})) {
        Class<?> snippet = loader.loadClass("RedisTls");
        for (Field field : snippet.getDeclaredFields()) {
          if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class) continue;
          field.setAccessible(true);
          String value = (String) field.get(null);
          StringBuilder units = new StringBuilder();
          for (char c : value.toCharArray()) units.append(String.format("%04x", (int) c));
          System.out.println(dir.getName() + " " + field.getName() + " " + units);
        }
      }
    }
  }
}
