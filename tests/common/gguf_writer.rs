//! Tiny GGUF models written by the tests themselves (nothing downloaded):
//! real `llama`-architecture files that llama.cpp loads and runs.
//!
//! Behaviour models are deterministic by construction: attention and
//! feed-forward outputs are zero, so the residual stream stays the last
//! token's one-hot embedding, and the output matrix maps each token to the
//! one that follows it with a logit near 90 against 0 for the rest. Any
//! temperature, top-k/p, min-p, penalty or seed then picks that token, so a
//! test knows each word the model will say. The matrices are still
//! multiplied: the engine does real work.
//!
//! `write_random` writes a model of random weights of a chosen size, for
//! the benchmark.

use std::io::Write;
use std::path::Path;

/// What a behaviour model says after the prompt's last newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// "Hello from the model." then the end of its turn.
    Says,
    /// " tick tock tick tock ..." for ever.
    Endless,
}

/// The reply `Behaviour::Says` gives.
pub const SAYS: &str = "Hello from the model.";

const WORDS: [&str; 7] = [
    "Hello",
    "\u{2581}from",
    "\u{2581}the",
    "\u{2581}model",
    ".",
    "\u{2581}tick",
    "\u{2581}tock",
];
const UNK: u32 = 0;
const BOS: u32 = 1;
const BYTE0: u32 = 3;
const IM_START: u32 = BYTE0 + 256;
const IM_END: u32 = IM_START + 1;
const WORD0: u32 = IM_END + 1;
const N_VOCAB: u32 = WORD0 + WORDS.len() as u32;

const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

fn word(w: &str) -> u32 {
    WORD0
        + WORDS
            .iter()
            .position(|x| *x == w)
            .expect("a word of the vocabulary") as u32
}

/// Shape of a model.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub layers: u64,
    pub n_embd: u64,
    pub heads: u64,
    pub n_ff: u64,
    pub context: u64,
}

impl Shape {
    /// The behaviour models: one-hot embeddings need `n_embd >= n_vocab`.
    pub const TINY: Shape = Shape {
        layers: 2,
        n_embd: 320,
        heads: 5,
        n_ff: 64,
        context: 2048,
    };
}

/// Writes a deterministic model that behaves as `behaviour`.
pub fn write_model(path: &Path, name: &str, behaviour: Behaviour) {
    write_behaviour(path, name, behaviour, Some(CHATML));
}

/// The same model with no chat template in its metadata, as many older
/// conversions are.
pub fn write_model_without_template(path: &Path, name: &str, behaviour: Behaviour) {
    write_behaviour(path, name, behaviour, None);
}

fn write_behaviour(path: &Path, name: &str, behaviour: Behaviour, template: Option<&str>) {
    let s = Shape::TINY;
    let newline = BYTE0 + u32::from(b'\n');
    let next: Vec<(u32, u32)> = match behaviour {
        Behaviour::Says => vec![
            (newline, word("Hello")),
            (word("Hello"), word("\u{2581}from")),
            (word("\u{2581}from"), word("\u{2581}the")),
            (word("\u{2581}the"), word("\u{2581}model")),
            (word("\u{2581}model"), word(".")),
            (word("."), IM_END),
        ],
        // Text written back into a prompt (a continued reply) is spelled
        // in byte tokens (this vocabulary has no merges), so every byte
        // leads into the cycle.
        Behaviour::Endless => (0..256)
            .map(|b| (BYTE0 + b, word("\u{2581}tick")))
            .chain([
                (word("\u{2581}tick"), word("\u{2581}tock")),
                (word("\u{2581}tock"), word("\u{2581}tick")),
            ])
            .collect(),
    };
    let (e, v) = (s.n_embd as usize, N_VOCAB as usize);
    let mut embd = vec![0f32; e * v];
    for t in 0..v {
        embd[t * e + t] = 1.0;
    }
    let mut output = vec![0f32; e * v];
    for (from, to) in next {
        output[to as usize * e + from as usize] = 5.0;
    }
    write(
        path,
        Meta {
            name,
            arch: "llama",
            template,
        },
        s,
        embd,
        output,
        &mut |_, n| vec![0.0; n],
    );
}

/// A behaviour model that names an architecture llama.cpp does not know.
pub fn write_with_architecture(path: &Path, arch: &str) {
    let s = Shape::TINY;
    let n = (s.n_embd * u64::from(N_VOCAB)) as usize;
    write(
        path,
        Meta {
            name: "alien",
            arch,
            template: Some(CHATML),
        },
        s,
        vec![0.0; n],
        vec![0.0; n],
        &mut |_, n| vec![0.0; n],
    );
}

/// A GGUF file whose one tensor claims `bytes` of weights; the file is
/// made that long without writing them (a sparse file).
pub fn write_claiming(path: &Path, bytes: u64) {
    let mut kv = Kv::default();
    kv.str("general.architecture", "llama");
    kv.str("general.name", "huge");
    let mut out = Vec::new();
    out.extend(b"GGUF");
    out.extend(3u32.to_le_bytes());
    out.extend(1u64.to_le_bytes());
    out.extend(kv.count.to_le_bytes());
    out.extend(&kv.bytes);
    put_str(&mut out, "token_embd.weight");
    out.extend(2u32.to_le_bytes());
    out.extend(4096u64.to_le_bytes());
    out.extend((bytes / 4 / 4096).to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out.extend(0u64.to_le_bytes());
    pad(&mut out);
    let data_start = out.len() as u64;
    std::fs::write(path, &out).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_len(data_start + bytes).unwrap();
}

/// Writes a model of random weights (normal-ish, scale 0.02), for timing;
/// at temperature 0 it never ends its turn.
pub fn write_random(path: &Path, shape: Shape, seed: u64) {
    let mut state = seed | 1;
    let mut rand = move |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Sum of uniforms: roughly normal.
                let u = ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5;
                (u * 0.07) as f32
            })
            .collect()
    };
    let (e, v) = (shape.n_embd as usize, N_VOCAB as usize);
    let embd = rand(e * v);
    let mut output = rand(e * v);
    // Its turn never ends: the control tokens' rows are zero, below what
    // greedy sampling picks, so a timed reply runs its whole length.
    for t in [UNK, BOS, 2, IM_START, IM_END] {
        output[t as usize * e..(t as usize + 1) * e].fill(0.0);
    }
    write(
        path,
        Meta {
            name: "random",
            arch: "llama",
            template: Some(CHATML),
        },
        shape,
        embd,
        output,
        &mut |_, n| rand(n),
    );
}

type Fill<'a> = dyn FnMut(&str, usize) -> Vec<f32> + 'a;

/// What a written model calls itself.
struct Meta<'a> {
    name: &'a str,
    arch: &'a str,
    template: Option<&'a str>,
}

fn write(
    path: &Path,
    meta: Meta<'_>,
    s: Shape,
    embd: Vec<f32>,
    output: Vec<f32>,
    fill: &mut Fill<'_>,
) {
    let Meta {
        name,
        arch,
        template,
    } = meta;
    let (e, ff) = (s.n_embd, s.n_ff);
    let ones = |n: u64| vec![1f32; n as usize];
    let mut tensors: Vec<(String, Vec<u64>, Vec<f32>)> = vec![
        (
            "token_embd.weight".into(),
            vec![e, u64::from(N_VOCAB)],
            embd,
        ),
        ("output_norm.weight".into(), vec![e], ones(e)),
        ("output.weight".into(), vec![e, u64::from(N_VOCAB)], output),
    ];
    for l in 0..s.layers {
        let b = |t: &str| format!("blk.{l}.{t}.weight");
        tensors.push((b("attn_norm"), vec![e], ones(e)));
        tensors.push((b("ffn_norm"), vec![e], ones(e)));
        for t in ["attn_q", "attn_k", "attn_v"] {
            let data = fill(t, (e * e) as usize);
            tensors.push((b(t), vec![e, e], data));
        }
        // Zero in the behaviour models: the residual stream stays put.
        let data = fill("attn_output", (e * e) as usize);
        tensors.push((b("attn_output"), vec![e, e], data));
        for t in ["ffn_gate", "ffn_up"] {
            let data = fill(t, (e * ff) as usize);
            tensors.push((b(t), vec![e, ff], data));
        }
        let data = fill("ffn_down", (e * ff) as usize);
        tensors.push((b("ffn_down"), vec![ff, e], data));
    }

    let mut tokens: Vec<String> = vec!["<unk>".into(), "<s>".into(), "</s>".into()];
    let mut types: Vec<i32> = vec![2, 3, 3];
    for byte in 0..=255u8 {
        tokens.push(format!("<0x{byte:02X}>"));
        types.push(6);
    }
    tokens.push("<|im_start|>".into());
    tokens.push("<|im_end|>".into());
    types.extend([3, 3]);
    for w in WORDS {
        tokens.push(w.into());
        types.push(1);
    }
    assert_eq!(tokens.len(), N_VOCAB as usize);

    let mut kv = Kv::default();
    kv.str("general.architecture", arch);
    kv.str("general.name", name);
    kv.u32("general.file_type", 0);
    kv.u32("llama.context_length", s.context as u32);
    kv.u32("llama.embedding_length", e as u32);
    kv.u32("llama.block_count", s.layers as u32);
    kv.u32("llama.feed_forward_length", ff as u32);
    kv.u32("llama.attention.head_count", s.heads as u32);
    kv.u32("llama.attention.head_count_kv", s.heads as u32);
    kv.f32("llama.attention.layer_norm_rms_epsilon", 1e-5);
    kv.str("tokenizer.ggml.model", "llama");
    kv.strings("tokenizer.ggml.tokens", &tokens);
    kv.f32s("tokenizer.ggml.scores", &vec![0.0; tokens.len()]);
    kv.i32s("tokenizer.ggml.token_type", &types);
    kv.u32("tokenizer.ggml.bos_token_id", BOS);
    kv.u32("tokenizer.ggml.eos_token_id", IM_END);
    kv.u32("tokenizer.ggml.unknown_token_id", UNK);
    kv.bool("tokenizer.ggml.add_bos_token", true);
    if let Some(template) = template {
        kv.str("tokenizer.chat_template", template);
    }

    let mut out = Vec::new();
    out.extend(b"GGUF");
    out.extend(3u32.to_le_bytes());
    out.extend((tensors.len() as u64).to_le_bytes());
    out.extend(kv.count.to_le_bytes());
    out.extend(&kv.bytes);
    let mut offset = 0u64;
    for (name, dims, data) in &tensors {
        put_str(&mut out, name);
        out.extend((dims.len() as u32).to_le_bytes());
        for d in dims {
            out.extend(d.to_le_bytes());
        }
        out.extend(0u32.to_le_bytes()); // F32
        out.extend(offset.to_le_bytes());
        offset += align((data.len() * 4) as u64);
    }
    pad(&mut out);
    let mut file =
        std::io::BufWriter::new(std::fs::File::create(path).expect("create the model file"));
    file.write_all(&out).unwrap();
    for (_, _, data) in &tensors {
        let mut bytes: Vec<u8> = data.iter().flat_map(|f| f.to_le_bytes()).collect();
        pad(&mut bytes);
        file.write_all(&bytes).unwrap();
    }
    file.flush().unwrap();
}

fn align(n: u64) -> u64 {
    n.div_ceil(32) * 32
}

fn pad(out: &mut Vec<u8>) {
    out.resize(align(out.len() as u64) as usize, 0);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend((s.len() as u64).to_le_bytes());
    out.extend(s.as_bytes());
}

#[derive(Default)]
struct Kv {
    bytes: Vec<u8>,
    count: u64,
}

impl Kv {
    fn key(&mut self, key: &str, ty: u32) {
        put_str(&mut self.bytes, key);
        self.bytes.extend(ty.to_le_bytes());
        self.count += 1;
    }
    fn str(&mut self, key: &str, v: &str) {
        self.key(key, 8);
        put_str(&mut self.bytes, v);
    }
    fn u32(&mut self, key: &str, v: u32) {
        self.key(key, 4);
        self.bytes.extend(v.to_le_bytes());
    }
    fn f32(&mut self, key: &str, v: f32) {
        self.key(key, 6);
        self.bytes.extend(v.to_le_bytes());
    }
    fn bool(&mut self, key: &str, v: bool) {
        self.key(key, 7);
        self.bytes.push(u8::from(v));
    }
    fn array(&mut self, key: &str, elem: u32, len: usize) {
        self.key(key, 9);
        self.bytes.extend(elem.to_le_bytes());
        self.bytes.extend((len as u64).to_le_bytes());
    }
    fn strings(&mut self, key: &str, v: &[String]) {
        self.array(key, 8, v.len());
        for s in v {
            put_str(&mut self.bytes, s);
        }
    }
    fn f32s(&mut self, key: &str, v: &[f32]) {
        self.array(key, 6, v.len());
        for x in v {
            self.bytes.extend(x.to_le_bytes());
        }
    }
    fn i32s(&mut self, key: &str, v: &[i32]) {
        self.array(key, 5, v.len());
        for x in v {
            self.bytes.extend(x.to_le_bytes());
        }
    }
}
