package dev.ensemble.engine.routing;

import dev.ensemble.core.routing.CurvePoint;
import dev.ensemble.core.routing.EvalReport;
import dev.ensemble.core.routing.RouterCurve;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The cost–quality chart of a routing evaluation as a PNG: each router's curve, random routing (the
 * straight line from weak-only to strong-only), the two single-model points and the 95% target.
 * Drawn with java.awt on an image, so it works headless ({@code -Djava.awt.headless=true}) with no
 * display and no extra library.
 */
public final class CurvePlot {
    public static final int WIDTH = 960;
    public static final int HEIGHT = 640;
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};
    private static final int LEFT = 80, RIGHT = 250, TOP = 50, BOTTOM = 60;

    private CurvePlot() {}

    public static void write(EvalReport report, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = render(report);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(image, "png", png.toFile())) throw new IOException("no PNG writer available");
    }

    static BufferedImage render(EvalReport report) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            Axes axes = Axes.of(report);
            drawAxes(g, axes, report);

            // 95% of strong-only quality
            g.setColor(new Color(0xd62728));
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            int y95 = axes.y(report.targetQuality());
            g.drawLine(LEFT, y95, WIDTH - RIGHT, y95);
            g.drawString("95% of strong-only", WIDTH - RIGHT - 130, y95 - 4);

            // random routing: linear between the single-model points
            g.setColor(Color.GRAY);
            g.drawLine(axes.x(report.weakOnly().costUsd()), axes.y(report.weakOnly().quality()),
                    axes.x(report.strongOnly().costUsd()), axes.y(report.strongOnly().quality()));

            List<RouterCurve> routers = report.routers();
            g.setStroke(new BasicStroke(2f));
            for (int r = routers.size() - 1; r >= 0; r--) {
                g.setColor(COLOURS[r % COLOURS.length]);
                Path2D line = new Path2D.Double();
                List<CurvePoint> curve = routers.get(r).curve();
                int step = Math.max(1, curve.size() / 600);
                for (int i = 0; i < curve.size(); i += step) {
                    CurvePoint p = curve.get(i);
                    if (i == 0) line.moveTo(axes.x(p.costUsd()), axes.y(p.quality()));
                    else line.lineTo(axes.x(p.costUsd()), axes.y(p.quality()));
                }
                CurvePoint last = curve.getLast();
                line.lineTo(axes.x(last.costUsd()), axes.y(last.quality()));
                g.draw(line);
            }
            point(g, axes, report.strongOnly(), "strong only: " + report.strong());
            point(g, axes, report.weakOnly(), "weak only: " + report.weak());

            // legend
            g.setFont(g.getFont().deriveFont(12f));
            int ly = TOP + 10;
            for (int r = 0; r < routers.size(); r++) {
                RouterCurve rc = routers.get(r);
                g.setColor(COLOURS[r % COLOURS.length]);
                g.fillRect(WIDTH - RIGHT + 15, ly - 9, 14, 4);
                g.setColor(Color.BLACK);
                g.drawString(rc.name(), WIDTH - RIGHT + 35, ly - 3);
                String saving = rc.savingAtTarget().isPresent()
                        ? String.format(Locale.ROOT, "saves %.1f%% at 95%%", 100 * rc.savingAtTarget().getAsDouble()) : "never reaches 95%";
                g.setColor(Color.DARK_GRAY);
                g.drawString(saving, WIDTH - RIGHT + 35, ly + 12);
                ly += 40;
            }
            g.setColor(Color.GRAY);
            g.fillRect(WIDTH - RIGHT + 15, ly - 9, 14, 2);
            g.setColor(Color.BLACK);
            g.drawString("random routing", WIDTH - RIGHT + 35, ly - 3);
            report.randomSaving().ifPresent(s -> {
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, "saves %.1f%% at 95%%", 100 * s), WIDTH - RIGHT + 35, TOP + 10 + 40 * routers.size() + 12);
            });
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void point(Graphics2D g, Axes axes, CurvePoint p, String label) {
        int x = axes.x(p.costUsd()), y = axes.y(p.quality());
        g.setColor(Color.BLACK);
        g.fillOval(x - 5, y - 5, 10, 10);
        g.setFont(g.getFont().deriveFont(11f));
        int width = g.getFontMetrics().stringWidth(label);
        g.drawString(label, Math.max(LEFT + 4, Math.min(x + 8, WIDTH - RIGHT - width)), y + 16);
    }

    private static void drawAxes(Graphics2D g, Axes axes, EvalReport report) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 5; i++) {
            double c = axes.maxCost * i / 5;
            int x = axes.x(c);
            g.drawLine(x, HEIGHT - BOTTOM, x, HEIGHT - BOTTOM + 4);
            g.drawString(String.format(Locale.ROOT, "$%.2f", c), x - 14, HEIGHT - BOTTOM + 18);
            double q = axes.minQ + (axes.maxQ - axes.minQ) * i / 5;
            int y = axes.y(q);
            g.drawLine(LEFT - 4, y, LEFT, y);
            g.drawString(String.format(Locale.ROOT, "%.1f%%", 100 * q), LEFT - 48, y + 4);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(String.format(Locale.ROOT, "Routing %s / %s on %d test prompts (seed %d)", report.strong(), report.weak(),
                report.testSize(), report.seed()), LEFT, TOP - 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("cost of the test half (USD, catalog prices)", LEFT + 150, HEIGHT - 20);
        g.drawString("quality", 10, TOP - 5);
    }

    private record Axes(double maxCost, double minQ, double maxQ) {
        static Axes of(EvalReport r) {
            double lo = Math.min(r.weakOnly().quality(), r.strongOnly().quality());
            double hi = Math.max(r.weakOnly().quality(), r.strongOnly().quality());
            for (RouterCurve c : r.routers()) {
                for (CurvePoint p : c.curve()) {
                    lo = Math.min(lo, p.quality());
                    hi = Math.max(hi, p.quality());
                }
            }
            double pad = Math.max(0.01, (hi - lo) * 0.05);
            return new Axes(Math.max(1e-12, r.strongOnly().costUsd() * 1.05), Math.max(0, lo - pad), Math.min(1, hi + pad));
        }

        int x(double cost) {
            return LEFT + (int) Math.round((WIDTH - LEFT - RIGHT) * cost / maxCost);
        }

        int y(double quality) {
            return HEIGHT - BOTTOM - (int) Math.round((HEIGHT - TOP - BOTTOM) * (quality - minQ) / Math.max(1e-12, maxQ - minQ));
        }
    }
}
