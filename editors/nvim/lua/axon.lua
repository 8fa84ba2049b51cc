-- Axon for Neovim: starts the language server (`axon lsp`) for Axon buffers. Diagnostics
-- (with units, hints and related notes), hover (K), go to definition, references, rename
-- (<leader>rn), completion (omnifunc, <C-x><C-o>), the outline and formatting then come from
-- the server.
-- Works with Neovim 0.7 (vim.lsp.start_client) and later (vim.lsp.start).
--
--   require('axon').setup({ cmd = { 'axon', 'lsp' } })   -- options are optional
local M = {}

M.config = {
  cmd = { 'axon', 'lsp' },
  -- extra environment for the server, e.g. { AXON_STDLIB = '/path/to/stdlib' }
  cmd_env = nil,
}

function M.setup(opts)
  M.config = vim.tbl_extend('force', M.config, opts or {})
end

local function root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  return vim.fn.fnamemodify(name ~= '' and name or vim.fn.getcwd(), ':p:h')
end

local function on_attach(_, bufnr)
  vim.api.nvim_buf_set_option(bufnr, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
  local map = function(lhs, rhs) vim.keymap.set('n', lhs, rhs, { buffer = bufnr }) end
  map('K', vim.lsp.buf.hover)
  map('gd', vim.lsp.buf.definition)
  map('gr', vim.lsp.buf.references)
  map('<leader>rn', function() vim.lsp.buf.rename() end)
  map('<leader>f', function()
    if vim.lsp.buf.format then vim.lsp.buf.format() else vim.lsp.buf.formatting_sync() end
  end)
end

-- Starts (or reuses) the server for buffer bufnr.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local config = {
    name = 'axon',
    cmd = M.config.cmd,
    cmd_env = M.config.cmd_env,
    root_dir = root_dir(bufnr),
    on_attach = on_attach,
  }
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  -- Neovim 0.7: one client per session, attached to each Axon buffer
  if not M.client_id or vim.lsp.client_is_stopped(M.client_id) then
    M.client_id = vim.lsp.start_client(config)
  end
  if M.client_id then
    vim.lsp.buf_attach_client(bufnr, M.client_id)
  end
  return M.client_id
end

return M
