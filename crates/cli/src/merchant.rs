//! `slipkeeper merchant show|set`: the shop's details used in letters to the acquirer.

use crate::ctx::{done, Ctx, Done};
use crate::output::{json, print_json, Out};
use clap::Subcommand;
use slipkeeper_app::{App, AppError};
use slipkeeper_domain::MerchantId;

#[derive(Debug, Subcommand)]
pub enum MerchantCmd {
    Show,
    /// Set fields of the profile (the others stay).
    Set {
        #[arg(long)]
        shop_name: Option<String>,
        #[arg(long)]
        merchant_no: Option<MerchantId>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: MerchantCmd) -> Done {
    merchant(&ctx.journal()?, &ctx.out, cmd)?;
    done()
}

fn merchant(app: &App, out: &Out, cmd: MerchantCmd) -> Result<(), AppError> {
    let mut p = app.merchant_profile()?;
    if let MerchantCmd::Set {
        shop_name,
        merchant_no,
        address,
        contact,
        phone,
        email,
    } = cmd
    {
        let keep = |new: Option<String>, old: Option<String>| new.or(old);
        p.shop_name = keep(shop_name, p.shop_name);
        p.merchant_id = merchant_no.or(p.merchant_id);
        p.address = keep(address, p.address);
        p.contact_person = keep(contact, p.contact_person);
        p.phone = keep(phone, p.phone);
        p.email = keep(email, p.email);
        app.set_merchant_profile(&p)?;
    }
    if out.json {
        print_json(&json(&p));
    } else {
        let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        say!("商户名称 shop name:      {}", o(&p.shop_name));
        say!(
            "商户编号 merchant no.:   {}",
            p.merchant_id
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_else(|| "—".into())
        );
        say!("地址 address:            {}", o(&p.address));
        say!("联系人 contact person:   {}", o(&p.contact_person));
        say!("电话 phone:              {}", o(&p.phone));
        say!("邮箱 e-mail:             {}", o(&p.email));
        let missing = slipkeeper_app::missing_profile_fields(&p);
        if !missing.is_empty() {
            say!(
                "letters need: {} (slipkeeper merchant set --shop-name … --contact … --phone …)",
                missing.join(", ")
            );
        }
    }
    Ok(())
}
