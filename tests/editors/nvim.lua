-- Neovim (headless) on tests/lsp/model.axon with editors/vim and editors/nvim on the runtime
-- path: the filetype is axon and the language server reports the unit error with its hint.
local deadline = vim.loop.now() + 15000
local function check()
  local d = vim.diagnostic.get(0)
  if #d == 0 and vim.loop.now() < deadline then
    return vim.defer_fn(check, 100)
  end
  local ok = vim.bo.filetype == 'axon' and #d == 1 and d[1].lnum == 11
    and d[1].message:find("dimension mismatch in '+'", 1, true)
    and d[1].message:find('hint: did you forget a resistance', 1, true)
  io.stdout:write(string.format('nvim: filetype %s, %d diagnostics%s\n', vim.bo.filetype, #d,
    #d > 0 and (': ' .. d[1].message:gsub('\n', ' / ')) or ''))
  vim.cmd(ok and 'qa!' or 'cq!')
end
vim.defer_fn(check, 100)
