// One JVM that keeps EPUBCheck and the Nu HTML Checker warm for `pipeline check`.
//
// Both validators pay seconds of schema setup on first use and then answer in tens of
// milliseconds, so this process outlives a check run. Each validator gets a class loader of
// its own, because both jars bundle Saxon and Jing in different versions.
//
// It listens on a Unix domain socket inside a folder only its user can enter, one request
// per connection, one line each:
//
//   epubcheck<TAB>/abs/path.epub   EPUBCheck's JSON report
//   nu<TAB>/abs/path.html          the Nu HTML Checker's JSON messages
//   ping                           is the server up?
//   stop                           exit now
//
// The reply is "ok\n" followed by the JSON bytes, or "error <one line>\n". The process exits
// by itself after IDLE_SECONDS without a request.
//
// Usage: java -cp CLASSES ValidatorServer SOCKET EPUBCHECK_JAR VNU_JAR IDLE_SECONDS

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

public final class ValidatorServer {
    private static final int MAX_REQUEST_LINE = 8192;
    private static final int NU_READY_TIMEOUT_S = 120;
    private static final String NU_MAX_BYTES = String.valueOf(256 * 1024 * 1024);
    private static final byte[] WARM_UP_PAGE =
            "<!DOCTYPE html><html lang=en><title>warm</title><p>warm</p>"
                    .getBytes(StandardCharsets.UTF_8);

    private final Path socket;
    private final Path epubcheckJar;
    private final Path vnuJar;
    private final long idleMillis;

    private final Object epubcheckLock = new Object();
    private ClassLoader epubcheckLoader;
    private Method epubcheckRun;
    private Class<?> epubcheckClass;

    private final CountDownLatch nuReady = new CountDownLatch(1);
    private volatile int nuPort = -1;
    private volatile String nuFailure;

    private final AtomicInteger busy = new AtomicInteger();
    private volatile long lastRequest = System.currentTimeMillis();

    private ValidatorServer(Path socket, Path epubcheckJar, Path vnuJar, long idleSeconds) {
        this.socket = socket;
        this.epubcheckJar = epubcheckJar;
        this.vnuJar = vnuJar;
        this.idleMillis = idleSeconds * 1000;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ValidatorServer SOCKET EPUBCHECK_JAR VNU_JAR IDLE_SECONDS");
            System.exit(2);
        }
        ValidatorServer server =
                new ValidatorServer(
                        Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]));
        server.serve();
    }

    private void serve() throws IOException {
        startNu();
        startEpubcheckWarmUp();
        Files.deleteIfExists(socket);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        Runtime.getRuntime().addShutdownHook(new Thread(this::removeSocket));
        startIdleWatch();
        System.err.println("validator server listening on " + socket);
        while (true) {
            SocketChannel connection = listener.accept();
            busy.incrementAndGet();
            lastRequest = System.currentTimeMillis();
            Thread worker = new Thread(() -> handle(connection), "request");
            worker.setDaemon(true);
            worker.start();
        }
    }

    private void handle(SocketChannel connection) {
        try (connection;
                InputStream in = Channels.newInputStream(connection);
                OutputStream out = Channels.newOutputStream(connection)) {
            String request = readLine(in);
            String command = request;
            String argument = "";
            int tab = request.indexOf('\t');
            if (tab >= 0) {
                command = request.substring(0, tab);
                argument = request.substring(tab + 1);
            }
            byte[] reply;
            try {
                reply = answer(command, argument);
            } catch (Exception e) {
                out.write(("error " + oneLine(e) + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            out.write("ok\n".getBytes(StandardCharsets.UTF_8));
            out.write(reply);
            out.flush();
            if (command.equals("stop")) {
                System.exit(0);
            }
        } catch (IOException e) {
            System.err.println("request failed: " + oneLine(e));
        } finally {
            lastRequest = System.currentTimeMillis();
            busy.decrementAndGet();
        }
    }

    private byte[] answer(String command, String argument) throws Exception {
        switch (command) {
            case "ping":
            case "stop":
                return new byte[0];
            case "epubcheck":
                return epubcheck(existingFile(argument));
            case "nu":
                return nu(existingFile(argument));
            default:
                throw new IllegalArgumentException("unknown request '" + command + "'");
        }
    }

    // EPUBCheck ------------------------------------------------------------------------

    private byte[] epubcheck(Path epub) throws Exception {
        Path report = Files.createTempFile("epubcheck-", ".json");
        try {
            synchronized (epubcheckLock) {
                if (epubcheckRun == null) {
                    epubcheckLoader = loaderFor(epubcheckJar);
                    epubcheckClass =
                            epubcheckLoader.loadClass("com.adobe.epubcheck.tool.EpubChecker");
                    epubcheckRun = epubcheckClass.getMethod("run", String[].class);
                }
                String[] args = {epub.toString(), "--json", report.toString(), "--quiet"};
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(epubcheckLoader);
                try {
                    Object checker = epubcheckClass.getConstructor().newInstance();
                    epubcheckRun.invoke(checker, (Object) args);
                } finally {
                    thread.setContextClassLoader(previous);
                }
            }
            if (Files.size(report) == 0) {
                throw new IOException("EPUBCheck wrote no report");
            }
            return Files.readAllBytes(report);
        } finally {
            Files.deleteIfExists(report);
        }
    }

    // EPUBCheck sets up its schemas on first use, for seconds. Checking a small book as soon
    // as the server starts moves that out of the first real check, whenever the server is
    // started ahead of it (`pipeline validators start`).
    private void startEpubcheckWarmUp() {
        Thread warmUp =
                new Thread(
                        () -> {
                            try {
                                Path book = Files.createTempFile("warm-up-", ".epub");
                                try {
                                    long start = System.currentTimeMillis();
                                    writeWarmUpBook(book);
                                    epubcheck(book);
                                    long took = System.currentTimeMillis() - start;
                                    System.err.println("EPUBCheck ready after " + took + " ms");
                                } finally {
                                    Files.deleteIfExists(book);
                                }
                            } catch (Exception e) {
                                System.err.println("EPUBCheck warm-up failed: " + oneLine(e));
                            }
                        },
                        "epubcheck-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    private static void writeWarmUpBook(Path book) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(book))) {
            byte[] mimetype = "application/epub+zip".getBytes(StandardCharsets.US_ASCII);
            ZipEntry first = new ZipEntry("mimetype");
            first.setMethod(ZipEntry.STORED);
            first.setSize(mimetype.length);
            CRC32 checksum = new CRC32();
            checksum.update(mimetype);
            first.setCrc(checksum.getValue());
            zip.putNextEntry(first);
            zip.write(mimetype);
            zip.closeEntry();
            for (String[] entry : WARM_UP_BOOK) {
                zip.putNextEntry(new ZipEntry(entry[0]));
                zip.write(entry[1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }

    // A book with each kind of file the pipeline's EPUBs hold: package, navigation, a text
    // page with a note, a stylesheet.
    private static final String[][] WARM_UP_BOOK = {
        {
            "META-INF/container.xml",
            "<?xml version=\"1.0\"?><container version=\"1.0\""
                    + " xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
                    + "<rootfile full-path=\"EPUB/content.opf\""
                    + " media-type=\"application/oebps-package+xml\"/></rootfiles></container>"
        },
        {
            "EPUB/content.opf",
            "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\""
                    + " version=\"3.0\" unique-identifier=\"id\"><metadata"
                    + " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:identifier id=\"id\">"
                    + "urn:uuid:6a1c2f54-5a4e-4c39-9d8e-2b0e7f3c1a10</dc:identifier>"
                    + "<dc:title>Warm-up</dc:title><dc:language>en</dc:language><meta"
                    + " property=\"dcterms:modified\">2000-01-01T00:00:00Z</meta></metadata>"
                    + "<manifest><item id=\"nav\" href=\"nav.xhtml\""
                    + " media-type=\"application/xhtml+xml\" properties=\"nav\"/><item"
                    + " id=\"text\" href=\"text.xhtml\" media-type=\"application/xhtml+xml\"/>"
                    + "<item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>"
                    + "</manifest><spine><itemref idref=\"text\"/></spine></package>"
        },
        {
            "EPUB/nav.xhtml",
            "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\""
                    + " xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>Contents"
                    + "</title></head><body><nav epub:type=\"toc\"><ol><li><a"
                    + " href=\"text.xhtml\">Text</a></li></ol></nav></body></html>"
        },
        {
            "EPUB/text.xhtml",
            "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\""
                    + " xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>Text</title>"
                    + "<link rel=\"stylesheet\" href=\"style.css\"/></head><body><h1>Text</h1>"
                    + "<p>Words<a epub:type=\"noteref\" href=\"#n1\" id=\"r1\">1</a>.</p>"
                    + "<aside epub:type=\"footnote\" id=\"n1\"><p><a href=\"#r1\">1</a>"
                    + " A note.</p></aside></body></html>"
        },
        {"EPUB/style.css", "body { margin: 0 5%; } aside { font-size: 0.9em; }"},
    };

    // The Nu HTML Checker ----------------------------------------------------------------

    // vnu's own web service runs in this process on a loopback port; a nu request forwards
    // the page to it. It may not fetch URLs, and takes pages up to NU_MAX_BYTES.
    private void startNu() throws IOException {
        if (!Files.isRegularFile(vnuJar)) {
            nuFailure = "the Nu HTML Checker is not installed at " + vnuJar;
            nuReady.countDown();
            return;
        }
        System.setProperty("nu.validator.servlet.bind-address", "127.0.0.1");
        System.setProperty("nu.validator.servlet.allowed-address-type", "none");
        System.setProperty("nu.validator.servlet.max-file-size", NU_MAX_BYTES);
        int port = freePort();
        ClassLoader loader = loaderFor(vnuJar);
        Thread service =
                new Thread(
                        () -> {
                            try {
                                Method main =
                                        loader.loadClass("nu.validator.servlet.Main")
                                                .getMethod("main", String[].class);
                                main.invoke(null, (Object) new String[] {String.valueOf(port)});
                            } catch (Exception e) {
                                nuFailure = "the Nu HTML Checker did not start: " + oneLine(e);
                                nuReady.countDown();
                            }
                        },
                        "vnu");
        service.setContextClassLoader(loader);
        service.setDaemon(true);
        service.start();
        Thread warmUp = new Thread(() -> waitForNu(port), "vnu-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    // Ready when the service has answered a first page, which also loads its schemas.
    private void waitForNu(int port) {
        long deadline = System.currentTimeMillis() + NU_READY_TIMEOUT_S * 1000L;
        while (nuFailure == null && System.currentTimeMillis() < deadline) {
            try {
                post(port, WARM_UP_PAGE, 2000);
                nuPort = port;
                break;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        if (nuPort < 0 && nuFailure == null) {
            nuFailure = "the Nu HTML Checker did not start in " + NU_READY_TIMEOUT_S + " s";
        }
        nuReady.countDown();
    }

    private byte[] nu(Path page) throws Exception {
        if (!nuReady.await(NU_READY_TIMEOUT_S, TimeUnit.SECONDS) || nuPort < 0) {
            throw new IOException(nuFailure != null ? nuFailure : "the Nu HTML Checker is not ready");
        }
        return post(nuPort, Files.readAllBytes(page), 300_000);
    }

    private static byte[] post(int port, byte[] page, int timeoutMillis) throws IOException {
        URL url = new URL("http://127.0.0.1:" + port + "/?out=json");
        HttpURLConnection http = (HttpURLConnection) url.openConnection();
        try {
            http.setConnectTimeout(timeoutMillis);
            http.setReadTimeout(timeoutMillis);
            http.setRequestMethod("POST");
            http.setDoOutput(true);
            http.setFixedLengthStreamingMode(page.length);
            http.setRequestProperty("Content-Type", "text/html; charset=utf-8");
            try (OutputStream body = http.getOutputStream()) {
                body.write(page);
            }
            if (http.getResponseCode() != 200) {
                throw new IOException("the Nu HTML Checker answered HTTP " + http.getResponseCode());
            }
            try (InputStream in = http.getInputStream()) {
                return in.readAllBytes();
            }
        } finally {
            http.disconnect();
        }
    }

    // Housekeeping ------------------------------------------------------------------------

    private void startIdleWatch() {
        Thread watch =
                new Thread(
                        () -> {
                            while (true) {
                                sleep(500);
                                long idle = System.currentTimeMillis() - lastRequest;
                                if (busy.get() == 0 && idle >= idleMillis) {
                                    System.err.println("idle for " + idle / 1000 + " s; exiting");
                                    System.exit(0);
                                }
                            }
                        },
                        "idle-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private void removeSocket() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // The next server removes a stale socket before it binds.
        }
    }

    private static ClassLoader loaderFor(Path jar) throws IOException {
        URL[] urls = {jar.toUri().toURL()};
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static Path existingFile(String argument) throws IOException {
        Path path = Path.of(argument);
        if (!path.isAbsolute() || !Files.isRegularFile(path)) {
            throw new IOException("not an absolute path to a file: " + argument);
        }
        return path;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || line.size() >= MAX_REQUEST_LINE) {
                throw new IOException("request without an end of line");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String oneLine(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        String text = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        return text.replaceAll("\\s+", " ").trim();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
