-- Neovim (headless) on a copy of tests/lsp/model.axon with editors/vim and editors/nvim on the
-- runtime path and `axon` on the PATH: the filetype is axon, the client that ftplugin/axon.lua
-- starts gets the unit error with its hint, hover tells a parameter's unit and doc comment,
-- definition goes into the stdlib, omni completion after `post.` offers the neurons'
-- variables, and vim.lsp.buf.rename renames a parameter at its declaration and its use.
local failures = 0
local function check(ok, what, got)
  if not ok then
    failures = failures + 1
    io.stdout:write('FAIL: ' .. what .. (got ~= nil and ('\n    got: ' .. vim.inspect(got)) or '') .. '\n')
  end
end

-- the cursor on the last character of `text` on its first line (or `back` characters before)
local function goto_text(text, back)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i, l in ipairs(lines) do
    local s, e = l:find(text, 1, true)
    if s then
      vim.api.nvim_win_set_cursor(0, { i, e - 1 - (back or 0) })
      return
    end
  end
  error('no ' .. text)
end

-- the first client's answer to a request at the cursor
local function ask(method, extra)
  local params = vim.lsp.util.make_position_params()
  for k, v in pairs(extra or {}) do params[k] = v end
  local answers = vim.lsp.buf_request_sync(0, method, params, 10000) or {}
  for _, a in pairs(answers) do return a.result, a.err end
end

local function run()
  check(vim.bo.filetype == 'axon', 'the filetype is axon', vim.bo.filetype)
  local d = vim.diagnostic.get(0)
  check(#d == 1 and d[1].lnum == 11 and d[1].severity == vim.diagnostic.severity.ERROR
    and d[1].message:find("dimension mismatch in '+'", 1, true)
    and d[1].message:find('hint: did you forget a resistance', 1, true),
    'the unit error and its hint on line 12', d)

  goto_text('(-v + I) / tau')
  local h = ask('textDocument/hover')
  local text = h and h.contents and h.contents.value or ''
  check(text:find('parameter of neuron Leaky: a time (ms)', 1, true)
    and text:find('the membrane time constant', 1, true), 'hover on tau', h)

  goto_text('= LIF')
  local loc = ask('textDocument/definition')
  check(loc and loc.uri and loc.uri:find('stdlib/neurons/lif.axon$'), 'definition of LIF', loc)

  goto_text('post.')
  local col = vim.fn.col('.')   -- after the dot, as omnifunc sees it while typing
  vim.api.nvim_win_set_cursor(0, { vim.fn.line('.'), col })
  local items = ask('textDocument/completion') or {}
  local names = {}
  for _, it in ipairs(items.items or items) do names[it.label] = true end
  check(names.v and names.I_syn and not names.neuron, 'completion after post.', vim.tbl_keys(names))

  goto_text('/ tau')
  vim.lsp.buf.rename('tau_m')
  local renamed = vim.wait(10000, function()
    local all = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    return all:find('tau_m = 10 ms', 1, true) and all:find('/ tau_m }', 1, true)
  end, 50)
  check(renamed, 'vim.lsp.buf.rename of tau',
    table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n'))

  io.stdout:write(string.format('nvim: %d failed\n', failures))
  vim.cmd(failures == 0 and 'qa!' or 'cq!')
end

-- the first diagnostics come when the server has checked the file
local deadline = vim.loop.now() + 20000
local function wait_diagnostics()
  if #vim.diagnostic.get(0) == 0 and vim.loop.now() < deadline then
    return vim.defer_fn(wait_diagnostics, 100)
  end
  local ok, err = pcall(run)
  if not ok then
    io.stdout:write('FAIL: ' .. tostring(err) .. '\n')
    vim.cmd('cq!')
  end
end
vim.defer_fn(wait_diagnostics, 100)
