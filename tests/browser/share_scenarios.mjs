// Scenarios shared by the share-link tests (share_links, share_hostile). Kept
// out of the *.test.mjs files: importing a test file would register its tests
// a second time.

// 30 scenarios over the four panels, as links a user might share.
export const SCENARIOS = [
  "v=1&x=1.12156456132",
  "v=1&x=0.1&xfocus=bf16",
  "v=1&x=65520&xsat=1",
  "v=1&x=1e-8&xftz=1&xfocus=fp16",
  "v=1&x=0x3c7c&xf=fp16",
  "v=1&x=0x7e00&xf=fp16",
  "v=1&x=-0&xfocus=fp8-e4m3",
  "v=1&x=3.14159265358979&xr=rtz",
  "v=1&x=2.5&xr=rna&xfocus=fp8-e5m2",
  "v=1&x=0.333333333&xr=up&xc=e5m6&xfocus=e5m6",
  "v=1&x=1000000&xr=down&xc=e3m4fn",
  "v=1&x=0.7&xr=stochastic&xs=42",
  "v=1&x=inf&xfocus=fp8-e4m3",
  "v=1&x=-nan",
  "v=1&x=0x1.8p-3&xr=odd",
  "v=1&p=add",
  "v=1&p=add&a=1.125&af=fp16&b=0.12457275190625&bf=fp16&in=fp16",
  "v=1&p=add&af=fp32&in=fp32",
  "v=1&p=add&a=1&b=1e-4&in=bf16&af=bf16&bf=bf16",
  "v=1&p=add&op=sub&a=1&b=0.999&in=fp16",
  "v=1&p=add&op=mul&a=1.1&b=1.1&in=fp8-e4m3&af=fp8-e4m3&bf=fp8-e4m3",
  "v=1&p=add&op=fma&a=3&b=0.1&c=-0.3&in=fp16&r=rtz",
  "v=1&p=add&a=65504&b=32&r=up&sat=1",
  "v=1&p=add&a=0.00006&b=0.00001&ftz=1",
  "v=1&p=add&a=1.125&b=0.12457275190625&cmp=1&step=2",
  "v=1&p=add&a=1&b=0.0004&r=stochastic&s=9",
  "v=1&p=train&w0=1.125&inc=0.00041999&n=101&st=fp64,fp32-master,fp16",
  "v=1&p=train&w0=1.125&inc=0.12457275190625&n=101&st=fp32-master,fp16",
  "v=1&p=train&w0=1&lr=0.001&g=normal:0:1&n=1000&st=fp16-sr,bf16-kahan&ls=dynamic",
  "v=1&p=landscape&lf=fp16,bf16,fp8-e5m2&lx0=0.001&lx1=1000&llog=1",
  "v=1&p=landscape&lf=fp8-e4m3&llog=0",
  "v=1&p=landscape&lf=fp16,bf16&llogy=0",
];
