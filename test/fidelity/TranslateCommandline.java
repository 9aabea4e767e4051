// The real splitter of iexec_args, for test/fidelity/args-splitter.fidelity.ts. Run as a single-file source
// program, so nothing is compiled into the repository:
//   java -cp /usr/share/java/maven-shared-utils.jar:/usr/share/java/commons-lang3.jar TranslateCommandline.java
// stdin: one input per line, the base64 of its UTF-8 bytes ("-" stands for null).
// stdout: one line per input: "blank" or "text" (commons-lang3 StringUtils.isBlank, which decides whether
// iexec-commons-containers sets a command at all), then "ok" and each word of
// CommandLineUtils.translateCommandline as ":" + base64, or "err" and ":" + base64 of the
// CommandLineException's message.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.commons.lang3.StringUtils;
import org.apache.maven.shared.utils.cli.CommandLineException;
import org.apache.maven.shared.utils.cli.CommandLineUtils;

public class TranslateCommandline {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.US_ASCII);
        Base64.Encoder encoder = Base64.getEncoder();
        String line;
        while ((line = in.readLine()) != null) {
            String input = line.equals("-") ? null : new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
            StringBuilder result = new StringBuilder(StringUtils.isBlank(input) ? "blank" : "text");
            try {
                result.append(" ok");
                for (String word : CommandLineUtils.translateCommandline(input)) {
                    result.append(" :").append(encoder.encodeToString(word.getBytes(StandardCharsets.UTF_8)));
                }
            } catch (CommandLineException e) {
                result.setLength(result.indexOf(" "));
                result.append(" err :").append(encoder.encodeToString(e.getMessage().getBytes(StandardCharsets.UTF_8)));
            }
            out.println(result);
        }
        out.flush();
    }
}
