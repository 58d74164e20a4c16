import CCairo
import LexelCore

/// The picture of a clustering: on the left a map of the points (a dot each, coloured by cluster) with each
/// cluster's name (its top terms) at its centre; on the right the clusters' sizes as bars, largest first. Drawn
/// with cairo (anti-aliased shapes and text) into a PNG, or an SVG, written atomically.
public struct ClusterPicture {
    public var title: String
    public var caption: String
    /// Map coordinates of the drawn points and their clusters.
    public var x: [Float], y: [Float], cluster: [Int32]
    /// Per cluster: map position of its centre, size, name.
    public var centreX: [Float], centreY: [Float], sizes: [Int], names: [String]

    public init(title: String, caption: String, x: [Float], y: [Float], cluster: [Int32], centreX: [Float],
                centreY: [Float], sizes: [Int], names: [String]) {
        (self.title, self.caption, self.x, self.y, self.cluster) = (title, caption, x, y, cluster)
        (self.centreX, self.centreY, self.sizes, self.names) = (centreX, centreY, sizes, names)
    }

    static let width = 1800.0, height = 1100.0

    /// A qualitative palette (distinct hues, then the same hues darker and lighter).
    static func colour(_ c: Int) -> (Double, Double, Double) {
        let base: [(Double, Double, Double)] = [
            (0.12, 0.47, 0.71), (1.00, 0.50, 0.05), (0.17, 0.63, 0.17), (0.84, 0.15, 0.16), (0.58, 0.40, 0.74),
            (0.55, 0.34, 0.29), (0.89, 0.47, 0.76), (0.50, 0.50, 0.50), (0.74, 0.74, 0.13), (0.09, 0.75, 0.81),
            (0.22, 0.23, 0.47), (0.55, 0.63, 0.32), (0.71, 0.21, 0.47), (0.99, 0.75, 0.44), (0.40, 0.76, 0.65),
        ]
        let (r, g, b) = base[c % base.count]
        let shade = [1.0, 0.7, 1.25][(c / base.count) % 3]
        return (min(1, r * shade), min(1, g * shade), min(1, b * shade))
    }

    /// Writes the picture to `path`: SVG when the name ends in `.svg`, else PNG.
    public func write(to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        final class Sink { let w: AtomicFileWriter; var error: Error?; init(_ w: AtomicFileWriter) { self.w = w } }
        let sink = Sink(writer)
        let ctx = Unmanaged.passUnretained(sink).toOpaque()
        let write: cairo_write_func_t = { closure, data, length in
            let s = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            do { try s.w.write(UnsafeRawBufferPointer(start: data, count: Int(length))) } catch {
                s.error = error
                return CAIRO_STATUS_WRITE_ERROR
            }
            return CAIRO_STATUS_SUCCESS
        }
        let svg = path.hasSuffix(".svg")
        let surface = svg ? cairo_svg_surface_create_for_stream(write, ctx, Self.width, Self.height)!
            : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(Self.width), Int32(Self.height))!
        let cr = cairo_create(surface)!
        draw(cr)
        cairo_destroy(cr)
        var status = CAIRO_STATUS_SUCCESS
        if svg { cairo_surface_finish(surface); status = cairo_surface_status(surface) } else {
            status = cairo_surface_write_to_png_stream(surface, write, ctx)
        }
        cairo_surface_destroy(surface)
        if let e = sink.error { throw e }
        guard status == CAIRO_STATUS_SUCCESS else {
            throw LexelError(file: path, "cannot draw the picture: \(String(cString: cairo_status_to_string(status)))")
        }
        try writer.commit()
    }

    func text(_ cr: OpaquePointer, _ s: String, x: Double, y: Double, size: Double, bold: Bool = false,
              centred: Bool = false, halo: Bool = false, rgb: (Double, Double, Double) = (0.1, 0.1, 0.1)) {
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
        var ext = cairo_text_extents_t()
        cairo_text_extents(cr, s, &ext)
        let x0 = centred ? x - ext.width / 2 - ext.x_bearing : x
        if halo {
            cairo_move_to(cr, x0, y)
            cairo_text_path(cr, s)
            cairo_set_source_rgba(cr, 1, 1, 1, 0.85)
            cairo_set_line_width(cr, 4)
            cairo_stroke(cr)
        }
        cairo_set_source_rgb(cr, rgb.0, rgb.1, rgb.2)
        cairo_move_to(cr, x0, y)
        cairo_show_text(cr, s)
    }

    func draw(_ cr: OpaquePointer) {
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        text(cr, title, x: 30, y: 42, size: 26, bold: true)
        text(cr, caption, x: 30, y: 70, size: 15, rgb: (0.35, 0.35, 0.35))
        // the map
        let (mx, my, side) = (30.0, 95.0, 980.0)
        cairo_set_source_rgb(cr, 0.97, 0.97, 0.97)
        cairo_rectangle(cr, mx, my, side, side)
        cairo_fill(cr)
        let lo = (x.min() ?? 0, y.min() ?? 0), hi = (x.max() ?? 1, y.max() ?? 1)
        let span = Double(max(hi.0 - lo.0, hi.1 - lo.1, 1e-9))
        func px(_ v: Float) -> Double { mx + 20 + (Double(v - lo.0) / span) * (side - 40) }
        func py(_ v: Float) -> Double { my + side - 20 - (Double(v - lo.1) / span) * (side - 40) }
        let radius = x.count > 10_000 ? 1.6 : x.count > 2_000 ? 2.2 : 3.2
        for i in 0..<x.count {
            let (r, g, b) = Self.colour(Int(cluster[i]))
            cairo_set_source_rgba(cr, r, g, b, 0.55)
            cairo_arc(cr, px(x[i]), py(y[i]), radius, 0, 2 * Double.pi)
            cairo_fill(cr)
        }
        // names at the centres of the largest clusters (at most 40), each moved up or down to a free place, or
        // left out (the bars name every cluster) when none is near
        let order = sizes.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        var placed: [(Double, Double, Double, Double)] = []
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)
        cairo_set_font_size(cr, 14)
        for c in order.prefix(40) where sizes[c] > 0 {
            var ext = cairo_text_extents_t()
            cairo_text_extents(cr, names[c], &ext)
            let w = ext.width + 6, h = 18.0
            let cx = min(max(px(centreX[c]), mx + w / 2), mx + side - w / 2)
            for shift in [0.0, 18, -18, 36, -36, 54, -54] {
                let cy = min(max(py(centreY[c]) + shift, my + h), my + side - 4)
                let box = (cx - w / 2, cy - h + 4, w, h)
                let free = !placed.contains { b in box.0 < b.0 + b.2 && b.0 < box.0 + box.2 && box.1 < b.1 + b.3 && b.1 < box.1 + box.3 }
                if free {
                    placed.append(box)
                    text(cr, names[c], x: cx, y: cy, size: 14, bold: true, centred: true, halo: true)
                    break
                }
            }
        }
        // the bars
        let (bx, by, bw) = (1050.0, 95.0, 720.0)
        text(cr, "cluster sizes (largest \(min(order.count, 40)) of \(order.count))", x: bx, y: by + 16, size: 16, bold: true)
        let shown = Array(order.prefix(40))
        let rowHeight = min(24.0, (Self.height - by - 60) / Double(max(1, shown.count)))
        let biggest = Double(max(1, sizes.max() ?? 1))
        for (row, c) in shown.enumerated() {
            let top = by + 34 + Double(row) * rowHeight
            let (r, g, b) = Self.colour(c)
            cairo_set_source_rgb(cr, r, g, b)
            cairo_rectangle(cr, bx + 250, top, (bw - 330) * Double(sizes[c]) / biggest, rowHeight * 0.75)
            cairo_fill(cr)
            let name = names[c].count > 30 ? String(names[c].prefix(29)) + "…" : names[c]
            text(cr, name, x: bx, y: top + rowHeight * 0.62, size: min(13, rowHeight * 0.6))
            text(cr, "\(sizes[c])", x: bx + 256 + (bw - 330) * Double(sizes[c]) / biggest, y: top + rowHeight * 0.62,
                 size: min(12, rowHeight * 0.55), rgb: (0.3, 0.3, 0.3))
        }
    }
}
