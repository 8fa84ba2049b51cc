-- Axon buffers: comments, indentation width, and the language server.
vim.bo.commentstring = '# %s'
vim.bo.comments = ':#'
vim.bo.expandtab = true
vim.bo.shiftwidth = 4
vim.bo.softtabstop = 4
if vim.fn.executable(require('axon').config.cmd[1]) == 1 then
  require('axon').start(0)
end
