" Axon model files (*.axon).
autocmd BufRead,BufNewFile *.axon setfiletype axon
