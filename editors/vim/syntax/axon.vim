" Vim syntax file
" Language:    Axon (neuron-modelling language)
" Filenames:   *.axon
" The keyword list follows KEYWORDS in compiler/lex.re.

if exists('b:current_syntax')
  finish
endif
scriptencoding utf-8

let s:cpo_save = &cpo
set cpo&vim

syn case match

" Comments: '#' to the end of the line.
syn keyword axonTodo contained TODO FIXME XXX NOTE
syn match   axonComment "#.*$" contains=axonTodo,@Spell

" Strings end on the same line; \" and \\ are escapes.
syn region  axonString start=+"+ skip=+\\.+ end=+"+ oneline contains=axonEscape,@Spell
syn match   axonEscape contained +\\.+

" Definitions and items.
syn keyword axonDefine      neuron synapse rule module
syn keyword axonInclude     import extern
syn keyword axonBlock       parameters state inputs equations step output continuous
syn keyword axonBlock       refractory method modulator
syn match   axonBlock       "\<event-driven\>"
syn keyword axonStatement   spike when on every let per shared
syn keyword axonStatement   population project connect delay learn signal record run for
syn keyword axonStatement   where from
syn keyword axonConditional if then else
syn keyword axonOperatorWord and or not
syn keyword axonBoolean     true false
syn keyword axonSpecial     pre post

" What `record` records.
syn match   axonRecordKind  "\%(\<record\s\+\)\@<=\%(spikes\|rate\|weights\)\>"

" Built-in functions, when called.
syn match   axonBuiltin     "\<\%(poisson_input\|sigmoid\|uniform\|randint\|exprel\|normal\|log10\|atan2\|floor\|round\|expm1\|timed\|sqrt\|tanh\|sinh\|cosh\|atan\|clip\|ceil\|sign\|rand\|topk\|exp\|log\|sin\|cos\|tan\|abs\|min\|max\|mod\|pow\|Phi\|sum\)\ze\s*("

" Derivatives: v'
syn match   axonDerivative  "\<\h\w*'"

" Numbers, and the unit attached to them: 20 ms, 20ms, 1.5 mV/ms,
" 0.2 nS*ms, 1 uF/cm^2, 5 µs.
syn match   axonNumber      "\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=" nextgroup=axonUnit skipwhite
syn match   axonUnit        contained "\v%(T|G|M|k|c|m|u|µ|μ|n|p|f)?%(Hz|ohm|mol|rad|kg|cd|s|m|V|A|S|F|C|M|K|g|W|J)>%(\^-?\d+)?%([*/]%(T|G|M|k|c|m|u|µ|μ|n|p|f)?%(Hz|ohm|mol|rad|kg|cd|s|m|V|A|S|F|C|M|K|g|W|J)>%(\^-?\d+)?)*"

" Operators.
" (later items win where several match at one place: '->' over '-')
syn match   axonOperator    "[-+*/]=\|[=!<>]=\|[-+*/^<>=]"
syn match   axonArrow       "->"
syn match   axonRange       "\.\."

hi def link axonTodo         Todo
hi def link axonComment      Comment
hi def link axonString       String
hi def link axonEscape       SpecialChar
hi def link axonDefine       Structure
hi def link axonInclude      Include
hi def link axonBlock        Type
hi def link axonStatement    Statement
hi def link axonConditional  Conditional
hi def link axonOperatorWord Operator
hi def link axonBoolean      Boolean
hi def link axonSpecial      Special
hi def link axonRecordKind   Constant
hi def link axonBuiltin      Function
hi def link axonDerivative   Identifier
hi def link axonNumber       Number
hi def link axonUnit         Special
hi def link axonArrow        Operator
hi def link axonRange        Operator
hi def link axonOperator     Operator

let b:current_syntax = 'axon'

let &cpo = s:cpo_save
unlet s:cpo_save
