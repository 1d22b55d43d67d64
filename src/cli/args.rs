//! The arguments of every command (with Chinese help), and the parsers of their values.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::load::fonts::FontRemap;
use crate::run::Settings;

/// The templates, fonts and roster a run reads: the same options in every command that renders
/// or checks.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    #[command(flatten)]
    pub templates: TemplatesDir,
    /// 额外的字体目录（可多次使用）
    #[arg(long = "font-path", value_name = "目录")]
    pub font_paths: Vec<PathBuf>,
    /// 同时使用本机已安装的字体（含 Windows 当前用户安装的字体），供 --font-role 选用；缺省不用，各处生成结果一致
    #[arg(long = "system-fonts")]
    pub system_fonts: bool,
    /// 把字体角色指向其他字体，如 title=方正小标宋简体（可多次使用）
    #[arg(long = "font-role", value_name = "角色=字体族")]
    pub font_roles: Vec<FontRemap>,
    /// 申报单位名册（.xlsx/.xls/.ods，一行一个单位）：applicant.yaml 未写的名称、类别、文号等从中读取
    #[arg(long, value_name = "文件")]
    pub roster: Option<PathBuf>,
}

/// The folder of templates that override the built-in ones (also `init`'s only template option).
#[derive(Debug, Args)]
pub struct TemplatesDir {
    /// 用此目录中的同名文件替换内置模板
    #[arg(id = "templates", long = "templates", value_name = "目录")]
    pub dir: Option<PathBuf>,
}

impl TemplateArgs {
    /// The settings of a run with `jobs` render workers.
    pub fn settings(&self, jobs: usize) -> Settings {
        Settings {
            templates: self.templates.dir.clone(),
            font_paths: self.font_paths.clone(),
            system_fonts: self.system_fonts,
            font_roles: self.font_roles.clone(),
            jobs,
            roster: self.roster.clone(),
        }
    }
}

/// Options of the commands that take applicant folders.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// 申报目录（每个目录含一个 applicant.yaml）；不写则处理 inputs/ 下的全部目录
    #[arg(value_name = "申报目录")]
    pub applicants: Vec<PathBuf>,
    #[command(flatten)]
    pub run: TemplateArgs,
    /// 问题的输出格式
    #[arg(long, value_enum, default_value = "human", value_name = "格式")]
    pub format: Format,
}

/// How problems are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// 便于阅读的中文文本
    Human,
    /// JSON，便于其他程序处理
    Json,
}

/// `shenbao check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `shenbao build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// 输出目录
    #[arg(short = 'o', long = "out", default_value = "out", value_name = "目录")]
    pub out: PathBuf,
    #[command(flatten)]
    pub render: RenderArgs,
    /// 只生成第 K 个分片（共 N 片）的申报单位，如 2/4；各分片完成后用 `shenbao merge` 合并索引
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// 同时把每份文档的 Typst 源文件与数据写到此目录（可用 typst compile 复现）
    #[arg(long = "emit-typst", value_name = "目录")]
    pub emit_typst: Option<PathBuf>,
    /// 结束时列出各阶段耗时
    #[arg(long)]
    pub timings: bool,
}

/// How documents are rendered, for `build` and `package`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// 并行排版的线程数（0 表示按 CPU 核数）
    #[arg(short = 'j', long, default_value_t = 0, value_name = "数量")]
    pub jobs: usize,
    /// 全部重新生成（缺省只重新生成输入、模板或字体有变化的文件）
    #[arg(long)]
    pub force: bool,
    /// 印制合订本中，各份之间插入一张空白隔页
    #[arg(long)]
    pub separator: bool,
}

/// `shenbao package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// 省级推荐目录（含 province.yaml）
    #[arg(value_name = "省级目录")]
    pub province: PathBuf,
    /// 申报目录（缺省为 province.yaml 中 applicants 所列）；名册缺省为 province.yaml 中的 roster
    #[command(flatten)]
    pub common: CommonArgs,
    /// 输出目录（缺省为 out/省级目录名）
    #[arg(short = 'o', long = "out", value_name = "目录")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub render: RenderArgs,
}

/// `shenbao merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// 各分片共同的输出目录
    #[arg(short = 'o', long = "out", default_value = "out", value_name = "目录")]
    pub out: PathBuf,
}

/// `shenbao watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// 只重新生成这份材料（notice.yaml 所列的序号，如 1–4）
    #[arg(long, value_name = "序号")]
    pub material: Option<u8>,
    /// 输出目录
    #[arg(short = 'o', long = "out", default_value = "out", value_name = "目录")]
    pub out: PathBuf,
}

/// `shenbao preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// 申报目录
    #[arg(value_name = "申报目录")]
    pub applicant: PathBuf,
    /// 材料序号（notice.yaml 所列，如 1–4）
    #[arg(long, value_name = "序号")]
    pub material: u8,
    /// 页码（从 1 起）
    #[arg(long, default_value_t = 1, value_name = "页码")]
    pub page: usize,
    /// 分辨率（每英寸点数，1–600）
    #[arg(long, default_value_t = 96.0, value_name = "DPI", value_parser = parse_dpi)]
    pub dpi: f32,
    /// 输出的 PNG 文件
    #[arg(short = 'o', long = "out", value_name = "文件.png")]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: TemplateArgs,
}

/// `shenbao import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 申报数据压缩包（build 生成的 <申报单位>-申报数据.zip，可写多个）
    #[arg(value_name = "压缩包", required = true)]
    pub bundles: Vec<PathBuf>,
    /// 解压到的目录（每个压缩包解压为其中的一个申报目录；已有同名目录时另建“（导入2）”等，不覆盖）
    #[arg(
        short = 'o',
        long = "out",
        default_value = "inputs",
        value_name = "目录"
    )]
    pub out: PathBuf,
    // The check after the import reads its size limits, evidence kinds and rules from these templates.
    #[command(flatten)]
    pub run: TemplateArgs,
}

/// `shenbao init`. Its `--roster` is the blank roster it writes, so of the shared options it
/// takes only `--templates`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// 要新建的申报目录
    #[arg(
        value_name = "目录",
        required_unless_present = "roster",
        requires = "category"
    )]
    pub dir: Option<PathBuf>,
    /// 申报类别：示范城市、试点城市或试点县
    #[arg(long, value_name = "类别", requires = "dir")]
    pub category: Option<String>,
    /// 生成空白的申报单位名册（含表头和类别、级别、城市的下拉列表）
    #[arg(long, value_name = "文件.xlsx")]
    pub roster: Option<PathBuf>,
    #[command(flatten)]
    pub templates: TemplatesDir,
    /// 创建工作报告和工作方案生成为 Word 文件（.docx），而非 Markdown
    #[arg(long, requires = "dir")]
    pub docx: bool,
}

/// `shenbao templates …`.
#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// 列出内置模板文件
    List,
    /// 把内置模板导出到目录，修改后用 --templates 目录 使用
    Export {
        /// 导出到的目录
        #[arg(value_name = "目录")]
        dir: PathBuf,
    },
}

/// Reads `K/N` with 1 ≤ K ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (k, n) = text.split_once('/').ok_or("应写成 K/N，如 2/4")?;
    let k: usize = k.trim().parse().map_err(|_| "K 应为正整数")?;
    let n: usize = n.trim().parse().map_err(|_| "N 应为正整数")?;
    if k == 0 || n == 0 || k > n {
        return Err(format!("分片 {k}/{n} 无效：应有 1 ≤ K ≤ N"));
    }
    Ok((k, n))
}

/// Reads a resolution between 1 and 600 dots per inch.
fn parse_dpi(text: &str) -> Result<f32, String> {
    let range = "应为 1 到 600 之间的数，如 96";
    let dpi: f32 = text
        .trim()
        .parse()
        .map_err(|_| format!("“{text}”不是数；{range}"))?;
    if dpi.is_finite() && (1.0..=600.0).contains(&dpi) {
        Ok(dpi)
    } else {
        Err(format!("分辨率 {text} 超出范围：{range}"))
    }
}
