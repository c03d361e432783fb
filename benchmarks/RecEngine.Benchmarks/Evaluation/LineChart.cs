using System.Globalization;

namespace RecEngine.Benchmarks.Evaluation;

/// <summary>
/// A small line chart rasterised without a graphics library: axes with rounded ticks, grid lines, one coloured
/// polyline per series and a legend, text in a built-in 5×7 pixel font (upper case, digits and a little
/// punctuation), saved as PNG.
/// </summary>
internal sealed class LineChart
{
    private const int Width = 1000, Height = 560;
    private const int Left = 90, Right = 30, Top = 60, Bottom = 70;
    private const int Scale = 2;

    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75), (227, 119, 194), (127, 127, 127),
    ];

    private readonly byte[] _pixels = new byte[Width * Height * 3];

    /// <summary>Draws <paramref name="series"/> (x, y points each) and writes the chart to <paramref name="path"/>.</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        var chart = new LineChart();
        chart.Draw(title, xLabel, yLabel, series);
        using var file = File.Create(path);
        PngEncoder.Write(file, Width, Height, chart._pixels);
    }

    private void Draw(string title, string xLabel, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        Array.Fill(_pixels, (byte)255);
        double xMax = Math.Max(1, series.SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(1).Max());
        double yMax = Math.Max(1e-9, series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(1).Max() * 1.1);
        double xStep = NiceStep(xMax / 6), yStep = NiceStep(yMax / 6);
        int plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        int Px(double x) => Left + (int)Math.Round(x / xMax * plotWidth);
        int Py(double y) => Top + plotHeight - (int)Math.Round(y / yMax * plotHeight);

        for (double y = 0; y <= yMax + 1e-12; y += yStep)
        {
            Line(Left, Py(y), Width - Right, Py(y), (225, 225, 225), 1);
            string label = y.ToString(yStep < 0.01 ? "F3" : "F2", CultureInfo.InvariantCulture);
            Text(label, Left - 8 - TextWidth(label), Py(y) - (3 * Scale), (60, 60, 60));
        }

        for (double x = 0; x <= xMax + 1e-9; x += xStep)
        {
            Line(Px(x), Top, Px(x), Top + plotHeight, (225, 225, 225), 1);
            string label = x.ToString("N0", CultureInfo.InvariantCulture);
            Text(label, Px(x) - (TextWidth(label) / 2), Top + plotHeight + 8, (60, 60, 60));
        }

        Line(Left, Top + plotHeight, Width - Right, Top + plotHeight, (0, 0, 0), 2);
        Line(Left, Top, Left, Top + plotHeight, (0, 0, 0), 2);
        Text(title, (Width - TextWidth(title)) / 2, 18, (0, 0, 0));
        Text(xLabel, Left + ((plotWidth - TextWidth(xLabel)) / 2), Height - 30, (0, 0, 0));
        Text(yLabel, 10, Top - 28, (0, 0, 0));

        for (int s = 0; s < series.Count; s++)
        {
            IReadOnlyList<(double X, double Y)> points = series[s].Points;
            for (int p = 1; p < points.Count; p++)
            {
                Line(Px(points[p - 1].X), Py(points[p - 1].Y), Px(points[p].X), Py(points[p].Y), Palette[s % Palette.Length], 3);
            }
        }

        // The legend, on a framed white box over the top right of the plot.
        int legendWidth = 44 + series.Select(s => TextWidth(s.Name)).DefaultIfEmpty(0).Max();
        int legendX = Width - Right - legendWidth - 8, legendY = Top + 8;
        Fill(legendX - 1, legendY - 1, legendWidth + 2, (series.Count * 9 * Scale) + 14, (160, 160, 160));
        Fill(legendX, legendY, legendWidth, (series.Count * 9 * Scale) + 12, (255, 255, 255));
        for (int s = 0; s < series.Count; s++)
        {
            int y = legendY + 8 + (s * 9 * Scale);
            Fill(legendX + 8, y + 4, 24, 6, Palette[s % Palette.Length]);
            Text(series[s].Name, legendX + 40, y, (0, 0, 0));
        }
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (double multiple in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (multiple * power >= rough)
            {
                return multiple * power;
            }
        }

        return 10 * power;
    }

    private void Set(int x, int y, (byte R, byte G, byte B) colour)
    {
        if ((uint)x < Width && (uint)y < Height)
        {
            int at = ((y * Width) + x) * 3;
            (_pixels[at], _pixels[at + 1], _pixels[at + 2]) = colour;
        }
    }

    private void Fill(int x, int y, int width, int height, (byte, byte, byte) colour)
    {
        for (int dy = 0; dy < height; dy++)
        {
            for (int dx = 0; dx < width; dx++)
            {
                Set(x + dx, y + dy, colour);
            }
        }
    }

    /// <summary>A line of the given thickness: Bresenham's walk, a square brush at every step.</summary>
    private void Line(int x0, int y0, int x1, int y1, (byte, byte, byte) colour, int thickness)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        int error = dx + dy;
        int half = thickness / 2;
        while (true)
        {
            Fill(x0 - half, y0 - half, thickness, thickness, colour);
            if (x0 == x1 && y0 == y1)
            {
                return;
            }

            int twice = 2 * error;
            if (twice >= dy)
            {
                error += dy;
                x0 += sx;
            }

            if (twice <= dx)
            {
                error += dx;
                y0 += sy;
            }
        }
    }

    private static int TextWidth(string text) => text.Length * 6 * Scale;

    private void Text(string text, int x, int y, (byte, byte, byte) colour)
    {
        foreach (char c in text.ToUpperInvariant())
        {
            if (Font.Glyphs.TryGetValue(c, out string[]? rows))
            {
                for (int row = 0; row < rows.Length; row++)
                {
                    for (int column = 0; column < rows[row].Length; column++)
                    {
                        if (rows[row][column] == '#')
                        {
                            Fill(x + (column * Scale), y + (row * Scale), Scale, Scale, colour);
                        }
                    }
                }
            }

            x += 6 * Scale;
        }
    }

    /// <summary>A 5×7 pixel font: each glyph is seven rows of five cells, '#' set.</summary>
    private static class Font
    {
        public static readonly Dictionary<char, string[]> Glyphs = Parse(
            "A .###. #...# #...# ##### #...# #...# #...#",
            "B ####. #...# #...# ####. #...# #...# ####.",
            "C .###. #...# #.... #.... #.... #...# .###.",
            "D ####. #...# #...# #...# #...# #...# ####.",
            "E ##### #.... #.... ####. #.... #.... #####",
            "F ##### #.... #.... ####. #.... #.... #....",
            "G .###. #...# #.... #.### #...# #...# .####",
            "H #...# #...# #...# ##### #...# #...# #...#",
            "I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
            "J ..### ...#. ...#. ...#. ...#. #..#. .##..",
            "K #...# #..#. #.#.. ##... #.#.. #..#. #...#",
            "L #.... #.... #.... #.... #.... #.... #####",
            "M #...# ##.## #.#.# #.#.# #...# #...# #...#",
            "N #...# #...# ##..# #.#.# #..## #...# #...#",
            "O .###. #...# #...# #...# #...# #...# .###.",
            "P ####. #...# #...# ####. #.... #.... #....",
            "Q .###. #...# #...# #...# #.#.# #..#. .##.#",
            "R ####. #...# #...# ####. #.#.. #..#. #...#",
            "S .#### #.... #.... .###. ....# ....# ####.",
            "T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
            "U #...# #...# #...# #...# #...# #...# .###.",
            "V #...# #...# #...# #...# #...# .#.#. ..#..",
            "W #...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
            "X #...# #...# .#.#. ..#.. .#.#. #...# #...#",
            "Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
            "Z ##### ....# ...#. ..#.. .#... #.... #####",
            "0 .###. #...# #..## #.#.# ##..# #...# .###.",
            "1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
            "2 .###. #...# ....# ...#. ..#.. .#... #####",
            "3 ####. ....# ....# .###. ....# ....# ####.",
            "4 ...#. ..##. .#.#. #..#. ##### ...#. ...#.",
            "5 ##### #.... ####. ....# ....# #...# .###.",
            "6 .###. #.... #.... ####. #...# #...# .###.",
            "7 ##### ....# ...#. ..#.. .#... .#... .#...",
            "8 .###. #...# #...# .###. #...# #...# .###.",
            "9 .###. #...# #...# .#### ....# ....# .###.",
            ". ..... ..... ..... ..... ..... .##.. .##..",
            "- ..... ..... ..... .###. ..... ..... .....",
            ", ..... ..... ..... ..... .##.. ..#.. .#...",
            "@ .###. #...# #.### #.#.# #.### #.... .###.",
            "% ##..# ##..# ...#. ..#.. .#... #..## #..##",
            "( ...#. ..#.. .#... .#... .#... ..#.. ...#.",
            ") .#... ..#.. ...#. ...#. ...#. ..#.. .#...",
            "/ ....# ....# ...#. ..#.. .#... #.... #....",
            ": ..... .##.. .##.. ..... .##.. .##.. .....",
            "= ..... ..... ##### ..... ##### ..... .....",
            "_ ..... ..... ..... ..... ..... ..... #####");

        private static Dictionary<char, string[]> Parse(params string[] lines) =>
            lines.ToDictionary(line => line[0], line => line[2..].Split(' '));
    }
}
