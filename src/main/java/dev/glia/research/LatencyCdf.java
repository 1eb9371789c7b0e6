package dev.glia.research;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Latency CDFs of several runs in one picture, on a log scale: where a person sees tails at a glance. */
public final class LatencyCdf {
    public static final Color GREY = new Color(0x888888);
    public static final Color BLUE = new Color(0x1f77b4);
    private static final int POINTS = 400;

    private final XYChart chart;

    public LatencyCdf(String title, String axis) {
        chart = new XYChartBuilder().width(800).height(480).title(title)
                .xAxisTitle(axis + " (s, log scale)").yAxisTitle("fraction of requests").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setYAxisDecimalPattern("0.0");
    }

    /** Adds one run's sorted latencies, drawn with at most 400 points. */
    public LatencyCdf add(String name, double[] sorted, Color color) {
        int n = sorted.length;
        if (n == 0) {
            return this;
        }
        int points = Math.min(n, POINTS);
        double[] x = new double[points];
        double[] y = new double[points];
        for (int i = 0; i < points; i++) {
            int idx = (int) ((long) i * (n - 1) / Math.max(1, points - 1));
            x[i] = Math.max(1e-3, sorted[idx]);
            y[i] = (idx + 1.0) / n;
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(2.5f));
        s.setMarker(SeriesMarkers.NONE);
        return this;
    }

    public void save(Path png) throws IOException {
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
