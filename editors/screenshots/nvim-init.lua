vim.opt.rtp:append(os.getenv('AXON_EDITORS') .. '/vim')
vim.opt.rtp:append(os.getenv('AXON_EDITORS') .. '/nvim')
vim.cmd('filetype plugin on')
vim.cmd('syntax on')
vim.opt.termguicolors = false
vim.opt.number = true
vim.opt.background = 'dark'
vim.cmd('hi NormalFloat ctermbg=236 ctermfg=252')
vim.cmd('hi FloatBorder ctermbg=236 ctermfg=244')
vim.cmd('hi SignColumn ctermbg=NONE')
vim.cmd('hi LineNr ctermfg=242')
vim.diagnostic.config({ float = { border = 'rounded', source = 'always' } })
