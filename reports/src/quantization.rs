//! The quantization of a model, for the leaderboard's column: from its id (`...-q4_k_m`), else
//! from the GGUF file's `general.file_type`.

/// llama.cpp's `LLAMA_FTYPE_*` codes (`general.file_type`) and their names, from `llama.h`.
const FILE_TYPES: &[(u64, &str)] = &[
    (0, "F32"),
    (1, "F16"),
    (2, "Q4_0"),
    (3, "Q4_1"),
    (7, "Q8_0"),
    (8, "Q5_0"),
    (9, "Q5_1"),
    (10, "Q2_K"),
    (11, "Q3_K_S"),
    (12, "Q3_K_M"),
    (13, "Q3_K_L"),
    (14, "Q4_K_S"),
    (15, "Q4_K_M"),
    (16, "Q5_K_S"),
    (17, "Q5_K_M"),
    (18, "Q6_K"),
    (19, "IQ2_XXS"),
    (20, "IQ2_XS"),
    (21, "Q2_K_S"),
    (22, "IQ3_XS"),
    (23, "IQ3_XXS"),
    (24, "IQ1_S"),
    (25, "IQ4_NL"),
    (26, "IQ3_S"),
    (27, "IQ3_M"),
    (28, "IQ2_S"),
    (29, "IQ2_M"),
    (30, "IQ4_XS"),
    (31, "IQ1_M"),
    (32, "BF16"),
    (36, "TQ1_0"),
    (37, "TQ2_0"),
    (38, "MXFP4_MOE"),
];

/// The name of a GGUF `general.file_type` code.
pub fn from_file_type(code: u64) -> Option<&'static str> {
    FILE_TYPES.iter().find(|&&(c, _)| c == code).map(|&(_, name)| name)
}

/// The quantization named in a model id or file name, upper-cased: the last `-` or `.` separated
/// part that is a known quantization (`qwen2.5-coder-0.5b-instruct-q4_k_m` -> `Q4_K_M`,
/// `model.Q8_0.gguf` -> `Q8_0`).
pub fn from_model_id(id: &str) -> Option<String> {
    id.rsplit(['-', '.', '/'])
        .map(str::to_ascii_uppercase)
        .find(|part| FILE_TYPES.iter().any(|&(_, name)| name == part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_ids() {
        assert_eq!(from_model_id("qwen2.5-coder-0.5b-instruct-q4_k_m").as_deref(), Some("Q4_K_M"));
        assert_eq!(from_model_id("gemma-3-270m-q4_k_m").as_deref(), Some("Q4_K_M"));
        assert_eq!(from_model_id("/models/llama-3.2-1b.Q8_0.gguf").as_deref(), Some("Q8_0"));
        assert_eq!(from_model_id("phi-f16").as_deref(), Some("F16"));
        assert_eq!(from_model_id("mistral-7b-iq4_xs").as_deref(), Some("IQ4_XS"));
        assert_eq!(from_model_id("replay"), None);
        assert_eq!(from_model_id("q4-but-not-a-quant"), None);
    }

    #[test]
    fn names_from_file_types() {
        assert_eq!(from_file_type(15), Some("Q4_K_M"));
        assert_eq!(from_file_type(7), Some("Q8_0"));
        assert_eq!(from_file_type(32), Some("BF16"));
        assert_eq!(from_file_type(4), None);
        assert_eq!(from_file_type(1024), None);
    }
}
