//! The command line: arguments (with Chinese help), and the printing of results.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod args;
mod import;
mod print;

use print::{
    exit_code, fail, print_batch, print_package, print_removed, print_reports, report_json,
};

use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::load;
use crate::run::batch::{self, BuildOptions};
use crate::run::output::{self, OutputLock};
use crate::run::{Session, Settings};
use crate::templates::TemplateStore;

/// shenbao（申报）：从数据生成符合 GB/T 9704 的知识产权强国建设试点示范城市、县申报材料。
#[derive(Debug, Parser)]
#[command(name = "shenbao", version, about, disable_help_subcommand = true)]
#[command(help_template = "{about}\n\n用法：{usage}\n\n{all-args}")]
pub struct Cli {
    /// 要执行的命令
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 检查并生成申报材料（PDF）到输出目录
    Build(BuildArgs),
    /// 只检查申报数据，报告所有问题，不生成文件
    Check(CheckArgs),
    /// 新建一个待填写的申报目录（申报信息、报告与方案模板、空白测评表）
    Init(InitArgs),
    /// 合并各分片（--shard）的索引为 out/manifest.json
    Merge(MergeArgs),
    /// 省级中心：把各单位发来的申报数据压缩包（<申报单位>-申报数据.zip）解压为申报目录并检查
    Import(args::ImportArgs),
    /// 省级推荐：检查全部申报单位和推荐规则，生成推荐函、汇总表、推荐单位的材料和目录
    Package(PackageArgs),
    /// 监视模板、申报数据和字体，有改动即重新生成（模板维护用）
    Watch(WatchArgs),
    /// 把某份材料的一页排成 PNG 图片，便于快速查看
    Preview(PreviewArgs),
    /// 列出或导出内置模板（措辞、版式、指标目录、规则、字体角色）
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// 申报工作台：在本机浏览器中填写、检查、预览、生成和下载申报材料
    Serve(crate::desk::ServeArgs),
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
    /// 用此目录中的同名文件替换内置模板
    #[arg(long, value_name = "目录")]
    pub templates: Option<PathBuf>,
    /// 额外的字体目录（可多次使用）
    #[arg(long = "font-path", value_name = "目录")]
    pub font_paths: Vec<PathBuf>,
    /// 申报单位名册：applicant.yaml 未写的字段从中读取
    #[arg(long, value_name = "文件")]
    pub roster: Option<PathBuf>,
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

/// `shenbao init`.
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
    /// 用此目录中的同名文件替换内置模板
    #[arg(long, value_name = "目录")]
    pub templates: Option<PathBuf>,
    /// 创建工作报告和工作方案生成为 Word 文件（.docx），而非 Markdown
    #[arg(long, requires = "dir")]
    pub docx: bool,
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// 申报目录（每个目录含一个 applicant.yaml）；不写则处理 inputs/ 下的全部目录
    #[arg(value_name = "申报目录")]
    pub applicants: Vec<PathBuf>,
    /// 用此目录中的同名文件替换内置模板
    #[arg(long, value_name = "目录")]
    pub templates: Option<PathBuf>,
    /// 额外的字体目录（可多次使用）
    #[arg(long = "font-path", value_name = "目录")]
    pub font_paths: Vec<PathBuf>,
    /// 同时使用本机已安装的字体（含 Windows 当前用户安装的字体），供 --font-role 选用；缺省不用，各处生成结果一致
    #[arg(long = "system-fonts")]
    pub system_fonts: bool,
    /// 把字体角色指向其他字体，如 title=方正小标宋简体（可多次使用）
    #[arg(long = "font-role", value_name = "角色=字体族")]
    pub font_roles: Vec<String>,
    /// 申报单位名册（.xlsx/.xls/.ods，一行一个单位）：applicant.yaml 未写的名称、类别、文号等从中读取
    #[arg(long, value_name = "文件")]
    pub roster: Option<PathBuf>,
    /// 问题的输出格式
    #[arg(long, value_enum, default_value = "human", value_name = "格式")]
    pub format: Format,
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

/// `shenbao check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// How problems are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// 便于阅读的中文文本
    Human,
    /// JSON，便于其他程序处理
    Json,
}

impl CommonArgs {
    fn settings(&self, jobs: usize) -> Settings {
        Settings {
            templates: self.templates.clone(),
            font_paths: self.font_paths.clone(),
            system_fonts: self.system_fonts,
            font_roles: self.font_roles.clone(),
            jobs,
            roster: self.roster.clone(),
        }
    }
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    crate::run::guard::install_panic_hook();
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Check(args) => check(&args),
        Command::Init(args) => init(&args),
        Command::Merge(args) => merge(&args),
        Command::Import(args) => import::import(&args),
        Command::Package(args) => package(&args),
        Command::Watch(args) => watch(&args),
        Command::Preview(args) => preview(&args),
        Command::Templates(command) => templates(&command),
        Command::Serve(args) => args.run(),
    }
}

fn open(common: &CommonArgs, jobs: usize) -> Result<(Session, Vec<PathBuf>), Diagnostics> {
    let dirs = load::applicant_dirs(&common.applicants, std::path::Path::new("inputs"))?;
    let session = Session::open(&common.settings(jobs))?;
    eprint!("{}", session.roster_warnings().render());
    Ok((session, dirs))
}

fn check(args: &CheckArgs) -> ExitCode {
    let (session, dirs) = match open(&args.common, 1) {
        Ok(opened) => opened,
        Err(problem) => return fail(problem, args.common.format),
    };
    let reports = session.check(&dirs);
    print_reports(&reports, args.common.format, "检查");
    exit_code(&reports)
}

fn build(args: &BuildArgs) -> ExitCode {
    let opened = open(&args.common, args.render.jobs).and_then(|(session, dirs)| {
        let mut inputs = dirs.clone();
        inputs.extend(session.input_paths().iter().cloned());
        output::check_apart(&args.out, &inputs, "输出目录")?;
        if let Some(emit) = &args.emit_typst {
            output::check_emit_dir(emit, &args.out, &inputs)?;
        }
        output::ensure_writable(&args.out)?;
        let lock = OutputLock::take(&args.out, args.shard)?;
        Ok((session, dirs, lock))
    });
    let (session, dirs, _lock) = match opened {
        Ok(opened) => opened,
        Err(problem) => return fail(problem, args.common.format),
    };
    let batch_id = session.batch_id(&dirs);
    let dirs = match args.shard {
        Some((k, n)) => batch::shard(&dirs, k, n),
        None => dirs,
    };
    let options = BuildOptions {
        out: args.out.clone(),
        force: args.render.force,
        separator: args.render.separator,
        shard: args.shard,
        emit_typst: args.emit_typst.clone(),
        batch: Some(batch_id),
        ..BuildOptions::default()
    };
    let _ =
        ctrlc::set_handler(|| batch::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    let started = std::time::Instant::now();
    let report = session.build(&dirs, &options);
    print_reports(&report.applicants, args.common.format, "生成");
    print_batch(&report);
    if args.timings {
        eprint!("{}", session.timings().render(started.elapsed()));
    }
    if batch::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        eprintln!("已中断。已生成的文件都是完整的；重新运行会从未完成处继续。");
        return ExitCode::from(130);
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn watch(args: &WatchArgs) -> ExitCode {
    let dirs = match load::applicant_dirs(&args.common.applicants, std::path::Path::new("inputs")) {
        Ok(dirs) => dirs,
        Err(problem) => return fail(problem, args.common.format),
    };
    let [applicant] = dirs.as_slice() else {
        return fail(
            Diagnostic::error("watch 一次只监视一个申报目录")
                .hint("请写出一个申报目录，例如 `shenbao watch inputs/洛阳市`"),
            args.common.format,
        );
    };
    let settings = args.common.settings(1);
    let mut inputs = vec![applicant.clone()];
    inputs.extend(settings.input_paths());
    let ready = output::check_apart(&args.out, &inputs, "输出目录")
        .and_then(|()| output::ensure_writable(&args.out))
        .and_then(|()| OutputLock::take(&args.out, None));
    let _lock = match ready {
        Ok(lock) => lock,
        Err(problem) => return fail(problem, args.common.format),
    };
    let options = BuildOptions {
        out: args.out.clone(),
        only_material: args.material,
        ..BuildOptions::default()
    };
    let _ =
        ctrlc::set_handler(|| batch::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    let json = args.common.format == Format::Json;
    crate::run::watch::watch(&settings, applicant, &options, json);
    ExitCode::SUCCESS
}

fn preview(args: &PreviewArgs) -> ExitCode {
    let settings = Settings {
        templates: args.templates.clone(),
        font_paths: args.font_paths.clone(),
        roster: args.roster.clone(),
        ..Settings::default()
    };
    let mut inputs = vec![args.applicant.clone()];
    inputs.extend(settings.input_paths());
    let opened = output::check_preview_file(&args.out, &inputs)
        .map_err(Diagnostics::from)
        .and_then(|()| Session::open(&settings));
    let session = match opened {
        Ok(session) => session,
        Err(problem) => return fail(problem, Format::Human),
    };
    let png = session
        .preview(&args.applicant, args.material, args.page, args.dpi)
        .and_then(|png| {
            crate::assemble::write_atomically(&args.out, &png).map_err(Diagnostics::from)
        });
    match png {
        Ok(()) => {
            eprintln!("已生成 {}", display_path(&args.out));
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprint!("{}", problems.render());
            ExitCode::from(1)
        }
    }
}

fn templates(command: &TemplatesCommand) -> ExitCode {
    match command {
        TemplatesCommand::List => {
            for name in TemplateStore::built_in_names() {
                println!("{name}");
            }
            ExitCode::SUCCESS
        }
        TemplatesCommand::Export { dir } => match TemplateStore::export(dir) {
            Ok(names) => {
                eprintln!(
                    "已导出 {} 个模板文件到 {}；修改后用 --templates {} 使用。",
                    names.len(),
                    display_path(dir),
                    display_path(dir)
                );
                ExitCode::SUCCESS
            }
            Err(problem) => fail(problem, Format::Human),
        },
    }
}

fn merge(args: &MergeArgs) -> ExitCode {
    let merged = match args.out.is_dir() {
        true => {
            OutputLock::take(&args.out, None).and_then(|_lock| crate::run::index::merge(&args.out))
        }
        false => crate::run::index::merge(&args.out),
    };
    match merged {
        Ok(index) => {
            let failed = index.applicants.iter().filter(|a| !a.ok).count();
            eprintln!(
                "已合并 {} 个申报单位的索引到 {}（{failed} 个未通过）。",
                index.applicants.len(),
                display_path(&args.out.join("manifest.json"))
            );
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(problem) => fail(problem, Format::Human),
    }
}

fn init(args: &InitArgs) -> ExitCode {
    let written = TemplateStore::new(args.templates.clone()).and_then(|store| {
        let mut files = Vec::new();
        if let Some(roster) = args.roster.as_ref().filter(|r| r.exists()) {
            return Err(
                Diagnostic::error("名册文件已存在，为避免覆盖，未写入任何文件")
                    .at(crate::diagnostics::Location::file(roster))
                    .hint("请换一个文件名，或先移走已有文件"),
            );
        }
        if let (Some(dir), Some(category)) = (&args.dir, &args.category) {
            files.extend(crate::init::init(dir, category, &store, args.docx)?);
        }
        if let Some(roster) = &args.roster {
            files.push(crate::init::roster(roster, &store)?);
        }
        Ok(files)
    });
    match written {
        Ok(files) => {
            for file in files {
                eprintln!("已生成 {}", display_path(&file));
            }
            if let Some(dir) = &args.dir {
                eprintln!(
                    "请填写以上文件，然后运行 `shenbao check {}` 检查。",
                    display_path(dir)
                );
            }
            if let Some(roster) = &args.roster {
                eprintln!(
                    "名册一行一个申报单位；用 `shenbao check --roster {}` 检查。",
                    display_path(roster)
                );
            }
            ExitCode::SUCCESS
        }
        Err(problem) => fail(problem, Format::Human),
    }
}

fn package(args: &PackageArgs) -> ExitCode {
    let format = args.common.format;
    let province = match load::province::read(&args.province) {
        Ok(province) => province,
        Err(problems) => return fail(problems, format),
    };
    let dirs = if args.common.applicants.is_empty() {
        load::province::applicant_dirs(&province)
    } else {
        Ok(args.common.applicants.clone())
    };
    let mut settings = args.common.settings(args.render.jobs);
    if settings.roster.is_none() {
        settings.roster = province.roster.as_ref().map(|r| r.value.clone());
    }
    let opened = dirs.and_then(|dirs| Ok((Session::open(&settings)?, dirs)));
    if let Ok((session, _)) = &opened {
        eprint!("{}", session.roster_warnings().render());
    }
    let (session, dirs) = match opened {
        Ok(opened) => opened,
        Err(problems) => return fail(problems, format),
    };
    let options = BuildOptions {
        out: args.out.clone().unwrap_or_else(|| {
            std::path::Path::new("out").join(output::folder_name(&args.province))
        }),
        force: args.render.force,
        separator: args.render.separator,
        ..BuildOptions::default()
    };
    let _ =
        ctrlc::set_handler(|| batch::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    let report = session.package(&province, &dirs, &options);
    if format == Format::Json {
        let json = serde_json::json!({
            "applicants": report.applicants.iter().map(report_json).collect::<Vec<_>>(),
            "rules": report.rules,
            "manifest": report.manifest,
            "removed": report.removed.iter().map(|p| display_path(p)).collect::<Vec<_>>(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else {
        print_reports(&report.applicants, format, "检查");
        eprint!("{}", report.rules.render());
        print_removed(&report.removed);
        print_package(&report, &options.out);
    }
    if report.manifest.is_some() && !report.rules.has_errors() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
