package dev.glia.research.agent;

import dev.glia.research.Lab;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * SQL over one run's logs (its first seed): {@code request_metrics}, {@code reqs_log},
 * {@code gs_log}, {@code batch_log}, plus {@code runs} (every experiment of the session). Tables
 * live in an in-memory H2 database; the agent's queries run as a read-only user that may only
 * SELECT, so SQL cannot read files or define functions.
 */
final class RunDatabase {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Driver DRIVER = new org.h2.Driver();
    private static final int MAX_ROWS = 60;

    private static final Map<String, List<String>> SCHEMAS = Map.of(
            "request_metrics", List.of("request_id INT", "replica_id INT", "arrived_at DOUBLE", "num_prefill_tokens INT",
                    "num_decode_tokens INT", "scheduled_at DOUBLE", "first_token_at DOUBLE", "completed_at DOUBLE",
                    "e2e DOUBLE", "ttft DOUBLE", "tpot DOUBLE", "queue_delay DOUBLE", "restarts INT", "slowdown DOUBLE"),
            "reqs_log", List.of("time DOUBLE", "replica_id INT", "request_id INT", "num_prefill_tokens INT",
                    "num_decode_tokens INT"),
            "gs_log", List.of("time DOUBLE", "replica_id INT", "num_pending_requests INT", "num_active_requests INT",
                    "num_allocated_blocks INT", "num_blocks INT", "memory_usage_percent DOUBLE"),
            "batch_log", List.of("replica_id INT", "start DOUBLE", "end DOUBLE", "iterations INT", "size INT",
                    "tokens INT", "prefill_tokens INT", "preemptions INT"));

    /** The session's experiments: who ran what, and its figures (means over its seeds). */
    private static final List<String> RUNS_FIGURES = List.of("e2e.mean", "e2e.p50", "e2e.p90", "e2e.p99", "ttft.mean",
            "ttft.p90", "ttft.p99", "queueDelay.mean", "restartedFraction", "slowdown.p95", "throughput", "gpuHours");
    private static final List<String> RUNS_COLUMNS = java.util.stream.Stream.concat(Stream.of("run_id VARCHAR",
            "ran_by VARCHAR", "policy VARCHAR", "parameters VARCHAR", "seeds INT", "failed VARCHAR"),
            RUNS_FIGURES.stream().map(f -> f.replace("queueDelay", "queue_delay").replace("restartedFraction",
                    "restarted_fraction").replace("gpuHours", "gpu_hours").replace('.', '_') + " DOUBLE")).toList();

    /** The tables and their columns with units, as the Researcher is told them. */
    static final String SCHEMA = """
            request_metrics (one row per request of the run's first seed; times in seconds since the start):
              request_id, replica_id, arrived_at, num_prefill_tokens (prompt), num_decode_tokens (output),
              scheduled_at, first_token_at, completed_at, e2e, ttft, tpot (s per output token),
              queue_delay (s from arrival to first scheduling), restarts (preemptions), slowdown (e2e / ideal e2e)
            reqs_log (one row per dispatch): time, replica_id, request_id, num_prefill_tokens, num_decode_tokens
            gs_log (one row per replica at each router call): time, replica_id, num_pending_requests,
              num_active_requests, num_allocated_blocks, num_blocks, memory_usage_percent (0-100)
            batch_log (one row per engine batch): replica_id, start, end (s), iterations, size (requests),
              tokens, prefill_tokens, preemptions
            runs (every experiment of the session, means over its seeds): run_id, ran_by, policy, parameters, seeds,
              failed, e2e_mean, e2e_p50, e2e_p90, e2e_p99, ttft_mean, ttft_p90, ttft_p99, queue_delay_mean (s),
              restarted_fraction (0-1), slowdown_p95, throughput (requests/s), gpu_hours""";

    private RunDatabase() {
    }

    static String query(Lab.Evaluation run, List<Lab.Evaluation> all, String sql) {
        String trimmed = sql == null ? "" : sql.strip();
        String head = trimmed.toLowerCase(Locale.ROOT);
        if (!(head.startsWith("select") || head.startsWith("with"))) {
            throw new ToolError("only SELECT (or WITH ... SELECT) queries are allowed");
        }
        // the database lives while the admin connection is open; settings such as DB_CLOSE_DELAY
        // in the URL need admin rights, so the agent's connection names only session settings
        String url = "jdbc:h2:mem:run" + NAMES.incrementAndGet() + ";NON_KEYWORDS=TIME,END,START,VALUE,SIZE";
        try (Connection admin = connect(url + ";DATABASE_TO_LOWER=TRUE", "sa", "")) {
            Path seed = firstSeed(run.runDir());
            for (Map.Entry<String, List<String>> table : SCHEMAS.entrySet()) {
                load(admin, table.getKey(), table.getValue(), seed == null ? null : seed.resolve(table.getKey() + ".csv"));
            }
            loadRuns(admin, all);
            try (Statement s = admin.createStatement()) {
                s.execute("CREATE USER agent PASSWORD 'agent'");
                for (String t : List.of("request_metrics", "reqs_log", "gs_log", "batch_log", "runs")) {
                    s.execute("GRANT SELECT ON " + t + " TO agent");
                }
            }
            try (Connection agent = connect(url, "agent", "agent");
                 Statement s = agent.createStatement()) {
                s.setQueryTimeout(10);
                s.setMaxRows(MAX_ROWS + 1);
                try (ResultSet rs = s.executeQuery(trimmed)) {
                    return format(rs);
                }
            }
        } catch (SQLException e) {
            throw new ToolError("SQL error: " + e.getMessage().lines().findFirst().orElse("") + "; tables: "
                    + "request_metrics, reqs_log, gs_log, batch_log (the run's first seed) and runs (every experiment)");
        } catch (IOException e) {
            throw new ToolError("cannot read the logs of " + run.runId() + ": " + e.getMessage());
        }
    }

    /** Straight to H2's driver: DriverManager refuses drivers loaded by another class loader (as under Quarkus). */
    private static Connection connect(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DRIVER.connect(url, p);
    }

    private static Path firstSeed(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            return null;
        }
        try (var dirs = Files.list(runDir)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("seed-")).sorted().findFirst().orElse(null);
        }
    }

    private static void load(Connection c, String table, List<String> columns, Path csv) throws SQLException, IOException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (" + String.join(", ", columns) + ")");
        }
        if (csv == null || !Files.exists(csv)) {
            return;
        }
        String marks = String.join(",", java.util.Collections.nCopies(columns.size(), "?"));
        try (BufferedReader in = Files.newBufferedReader(csv);
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " VALUES (" + marks + ")")) {
            in.readLine();
            String line;
            int batch = 0;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(",", -1);
                for (int i = 0; i < columns.size(); i++) {
                    boolean integer = columns.get(i).endsWith("INT");
                    if (i >= f.length || f[i].isEmpty()) {
                        insert.setNull(i + 1, integer ? Types.INTEGER : Types.DOUBLE);
                    } else if (integer) {
                        insert.setInt(i + 1, Integer.parseInt(f[i]));
                    } else {
                        insert.setDouble(i + 1, Double.parseDouble(f[i]));
                    }
                }
                insert.addBatch();
                if (++batch % 5000 == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
    }

    private static void loadRuns(Connection c, List<Lab.Evaluation> all) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE runs (" + String.join(", ", RUNS_COLUMNS) + ")");
        }
        String marks = String.join(",", java.util.Collections.nCopies(RUNS_COLUMNS.size(), "?"));
        try (PreparedStatement p = c.prepareStatement("INSERT INTO runs VALUES (" + marks + ")")) {
            for (Lab.Evaluation e : all) {
                p.setString(1, e.runId());
                p.setString(2, e.by());
                p.setString(3, e.candidate().label());
                p.setString(4, e.candidate().parameters().toString());
                p.setInt(5, e.seeds());
                p.setString(6, e.failure());
                for (int i = 0; i < RUNS_FIGURES.size(); i++) {
                    if (e.failed()) {
                        p.setNull(7 + i, Types.DOUBLE);
                    } else {
                        p.setDouble(7 + i, e.mean(RUNS_FIGURES.get(i)));
                    }
                }
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private static String format(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            out.append(i > 1 ? " | " : "").append(meta.getColumnLabel(i));
        }
        out.append('\n');
        int rows = 0;
        while (rs.next()) {
            if (++rows > MAX_ROWS) {
                out.append("... (more rows; aggregate or add LIMIT)\n");
                break;
            }
            for (int i = 1; i <= n; i++) {
                Object v = rs.getObject(i);
                out.append(i > 1 ? " | " : "").append(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : v);
            }
            out.append('\n');
        }
        if (rows == 0) {
            out.append("(no rows)\n");
        }
        return out.toString();
    }
}
