//! The arguments of the commands whose handlers live in their own modules.

use std::path::PathBuf;

use clap::Args;

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
    /// 用此目录中的同名文件替换内置模板（大小上限、佐证材料类型及检查规则由此读取）
    #[arg(long, value_name = "目录")]
    pub templates: Option<PathBuf>,
    /// 申报单位名册：applicant.yaml 未写的字段从中读取（用于导入后的检查）
    #[arg(long, value_name = "文件")]
    pub roster: Option<PathBuf>,
}
