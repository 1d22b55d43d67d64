//! The command line of `shenbao serve`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::ServeOptions;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::run::Settings;

/// The largest upload the desk accepts unless told otherwise: 64 MiB.
const UPLOAD_LIMIT_MIB: u16 = 64;

/// `shenbao serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 存放各申报单位目录的文件夹
    #[arg(value_name = "工作目录", default_value = "inputs")]
    pub workspace: PathBuf,
    /// 输出目录
    #[arg(short = 'o', long = "out", default_value = "out", value_name = "目录")]
    pub out: PathBuf,
    /// 端口；不写则自选一个空闲端口
    #[arg(long, value_name = "端口")]
    pub port: Option<u16>,
    /// 监听地址（供办公室局域网使用，须同时给出 --token）；缺省只在本机 127.0.0.1 上监听
    #[arg(long, value_name = "地址")]
    pub listen: Option<IpAddr>,
    /// 访问口令：通过 --listen 在局域网上提供服务时必须给出，浏览器首次访问的地址须带上它
    #[arg(long, value_name = "口令")]
    pub token: Option<String>,
    /// 不自动打开浏览器
    #[arg(long)]
    pub no_open: bool,
    /// 上传文件的大小上限（MiB）
    #[arg(long, value_name = "MiB", default_value_t = UPLOAD_LIMIT_MIB, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub upload_limit: u16,
    /// 用此目录中的同名文件替换内置模板
    #[arg(long, value_name = "目录")]
    pub templates: Option<PathBuf>,
    /// 额外的字体目录（可多次使用）
    #[arg(long = "font-path", value_name = "目录")]
    pub font_paths: Vec<PathBuf>,
    /// 把字体角色指向其他字体，如 title=方正小标宋简体（可多次使用）
    #[arg(long = "font-role", value_name = "角色=字体族")]
    pub font_roles: Vec<crate::load::fonts::FontRemap>,
}

impl ServeArgs {
    /// The options these arguments ask for, or why they cannot be used.
    pub fn options(&self) -> Result<ServeOptions, Diagnostic> {
        let ip = self.listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        if !ip.is_loopback() && self.token.as_deref().is_none_or(|t| t.len() < 16) {
            return Err(
                Diagnostic::error("在本机以外的地址上提供服务时必须设访问口令")
                    .hint("同时给出 --token 和至少 16 个字符的口令；只在本机使用时不要写 --listen"),
            );
        }
        Ok(ServeOptions {
            workspace: self.workspace.clone(),
            out: self.out.clone(),
            listen: SocketAddr::new(ip, self.port.unwrap_or(0)),
            token: self.token.clone(),
            settings: Settings {
                templates: self.templates.clone(),
                font_paths: self.font_paths.clone(),
                font_roles: self.font_roles.clone(),
                jobs: 1,
                roster: None,
                system_fonts: false,
            },
            upload_limit: usize::from(self.upload_limit) << 20,
        })
    }

    /// Runs `shenbao serve`.
    pub fn run(&self) -> ExitCode {
        match self.options().and_then(|o| super::serve(&o, !self.no_open)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(problem) => {
                eprint!("{}", Diagnostics::from(problem).render());
                ExitCode::from(2)
            }
        }
    }
}
