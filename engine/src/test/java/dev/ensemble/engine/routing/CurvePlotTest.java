package dev.ensemble.engine.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.Pricing;
import dev.ensemble.core.routing.CurvePoint;
import dev.ensemble.core.routing.EvalReport;
import dev.ensemble.core.routing.RouterCurve;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.OptionalDouble;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvePlotTest {
    @Test
    void writesAReadablePngWithTheCurveDrawn(@TempDir Path dir) throws Exception {
        Pricing p = new Pricing(1, 1, 1, "test", LocalDate.of(2026, 1, 1));
        List<CurvePoint> curve = List.of(new CurvePoint(0, 0.1, 0.7), new CurvePoint(0.5, 0.6, 0.79), new CurvePoint(1, 1.0, 0.8));
        RouterCurve router = new RouterCurve("learned", "test", curve, OptionalDouble.of(0.5), OptionalDouble.of(0.4), OptionalDouble.of(0.5));
        EvalReport report = new EvalReport("strong", "weak", p, p, 1, 10, "chars/4", 10, 0, 5, 5,
                new CurvePoint(1, 1.0, 0.8), new CurvePoint(0, 0.1, 0.7), 0.76, OptionalDouble.of(0.65), List.of(router));
        Path png = dir.resolve("sub/curve.png");
        CurvePlot.write(report, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(CurvePlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(CurvePlot.HEIGHT);
        // the first router's colour appears (the curve and its legend swatch)
        int blue = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) if ((image.getRGB(x, y) & 0xffffff) == 0x1f77b4) blue++;
        }
        assertThat(blue).isGreaterThan(100);
    }
}
