// optim/lr_scheduler.js: torch.optim.lr_scheduler (being written).
export {};
