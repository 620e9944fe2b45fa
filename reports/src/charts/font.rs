//! The font charts are measured and rasterised with, compiled in.

use resvg::usvg::fontdb;
use std::sync::{Arc, Once, OnceLock};

/// DejaVu Sans (Bitstream Vera license, see `reports/assets/README.md`), subset to Latin,
/// Greek and common punctuation and symbols to keep the binary small.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans-subset.ttf");

/// The family every chart asks for.
pub const FAMILY: &str = "sans-serif";

/// The font database resvg draws PNG text from: only the bundled font, as `sans-serif`.
pub fn database() -> Arc<fontdb::Database> {
    static DATABASE: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DATABASE
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_font_data(DEJAVU_SANS.to_vec());
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// Registers the font with plotters (which measures text with it), once per process.
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
        assert!(plotters::style::register_font(
            "test-family",
            plotters::style::FontStyle::Normal,
            super::DEJAVU_SANS
        )
        .is_ok());
        let db = super::database();
        let faces: Vec<_> = db.faces().collect();
        assert_eq!(faces.len(), 1);
        assert_eq!(faces[0].families[0].0, "DejaVu Sans");
    }
}
