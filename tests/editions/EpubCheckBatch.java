// Checks several EPUBs in one JVM: EPUBCheck's start-up (JVM, schemas) is paid once.
// Arguments come in pairs: an EPUB, then the JSON report to write for it.
// Run as a single-file program: java -cp epubcheck.jar EpubCheckBatch.java a.epub a.json ...
import com.adobe.epubcheck.tool.EpubChecker;

public class EpubCheckBatch {
    public static void main(String[] args) {
        if (args.length == 0 || args.length % 2 != 0) {
            System.err.println("usage: EpubCheckBatch EPUB REPORT.json [EPUB REPORT.json]...");
            System.exit(2);
        }
        for (int i = 0; i < args.length; i += 2) {
            new EpubChecker().run(new String[] {args[i], "--json", args[i + 1], "--quiet"});
        }
    }
}
