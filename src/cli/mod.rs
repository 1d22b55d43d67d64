//! The command line: the commands and their dispatch. The arguments are in `args`, the handlers
//! in one module per group of commands, the printing of results in `print`.

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use clap::{Parser, Subcommand};

mod args;
mod build;
mod import;
mod init;
mod package;
mod print;

use args::{
    BuildArgs, CheckArgs, ImportArgs, InitArgs, MergeArgs, PackageArgs, PreviewArgs,
    TemplatesCommand, WatchArgs,
};

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
    Import(ImportArgs),
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

impl Command {
    /// True for the commands that stop at Ctrl-C between documents (or bundles) and report
    /// what they finished; the others keep the default, which ends the process at once.
    fn stops_between_documents(&self) -> bool {
        matches!(
            self,
            Self::Build(_) | Self::Watch(_) | Self::Package(_) | Self::Import(_)
        )
    }
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    crate::guard::install_panic_hook();
    let cli = Cli::parse();
    if cli.command.stops_between_documents() {
        let _ = ctrlc::set_handler(|| crate::run::batch::INTERRUPTED.store(true, Ordering::SeqCst));
    }
    match cli.command {
        Command::Build(args) => build::build(&args),
        Command::Check(args) => build::check(&args),
        Command::Init(args) => init::init(&args),
        Command::Merge(args) => package::merge(&args),
        Command::Import(args) => import::import(&args),
        Command::Package(args) => package::package(&args),
        Command::Watch(args) => build::watch(&args),
        Command::Preview(args) => build::preview(&args),
        Command::Templates(command) => init::templates(&command),
        Command::Serve(args) => args.run(),
    }
}
