//! The font PNG text is rasterised with, compiled in.

use std::sync::Once;

/// DejaVu Sans (Bitstream Vera license, see `reports/assets/README.md`), subset to Latin,
/// Greek and common punctuation and symbols to keep the binary small.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans-subset.ttf");

/// The family every chart asks for.
pub const FAMILY: &str = "sans-serif";

/// Registers the font with plotters, once per process.
pub fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font (checked by the test below), so this cannot fail.
        let _ = plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, DEJAVU_SANS);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundled_font_parses() {
        assert!(plotters::style::register_font("test-family", plotters::style::FontStyle::Normal, super::DEJAVU_SANS)
            .is_ok());
    }
}
